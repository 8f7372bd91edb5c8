-- AlterTable
ALTER TABLE "Setting" ADD COLUMN     "routeSources" JSONB;

-- CreateTable
CREATE TABLE "NodeRouting" (
    "nodeId" UUID NOT NULL,
    "mayOriginate" BOOLEAN NOT NULL DEFAULT false,
    "exitNode" BOOLEAN NOT NULL DEFAULT false,
    "maxPrefixes" INTEGER NOT NULL DEFAULT 1000,
    "sources" JSONB,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NodeRouting_pkey" PRIMARY KEY ("nodeId")
);

-- CreateTable
CREATE TABLE "RouteAllowedRange" (
    "id" UUID NOT NULL,
    "nodeId" UUID NOT NULL,
    "prefix" TEXT NOT NULL,
    "maxLength" INTEGER NOT NULL,
    "anycast" BOOLEAN NOT NULL DEFAULT false,
    "description" TEXT,

    CONSTRAINT "RouteAllowedRange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DiscoveredRoute" (
    "id" BIGSERIAL NOT NULL,
    "nodeId" UUID NOT NULL,
    "prefix" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "interface" TEXT,
    "protocol" TEXT,
    "speaker" TEXT,
    "verdict" TEXT NOT NULL,
    "refusal" TEXT,
    "detail" TEXT,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastChangeAt" TIMESTAMP(3) NOT NULL,
    "flapCount" INTEGER NOT NULL DEFAULT 0,
    "goneAt" TIMESTAMP(3),

    CONSTRAINT "DiscoveredRoute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RouteConflict" (
    "prefix" TEXT NOT NULL,
    "nodeIds" TEXT[],
    "reason" TEXT NOT NULL,
    "detectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RouteConflict_pkey" PRIMARY KEY ("prefix")
);

-- CreateTable
CREATE TABLE "RouteConflictResolution" (
    "prefix" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "nodeId" UUID,
    "resolvedById" UUID,
    "resolvedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RouteConflictResolution_pkey" PRIMARY KEY ("prefix")
);

-- CreateIndex
CREATE UNIQUE INDEX "RouteAllowedRange_nodeId_prefix_key" ON "RouteAllowedRange"("nodeId", "prefix");

-- CreateIndex
CREATE INDEX "DiscoveredRoute_prefix_idx" ON "DiscoveredRoute"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "DiscoveredRoute_nodeId_prefix_source_key" ON "DiscoveredRoute"("nodeId", "prefix", "source");

-- AddForeignKey
ALTER TABLE "NodeRouting" ADD CONSTRAINT "NodeRouting_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RouteAllowedRange" ADD CONSTRAINT "RouteAllowedRange_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DiscoveredRoute" ADD CONSTRAINT "DiscoveredRoute_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;
