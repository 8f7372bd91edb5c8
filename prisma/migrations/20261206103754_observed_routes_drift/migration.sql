-- AlterTable
ALTER TABLE "Node" ADD COLUMN     "observedMesh" JSONB,
ADD COLUMN     "reappliedAt" TIMESTAMP(3),
ADD COLUMN     "reappliedId" UUID,
ADD COLUMN     "reapplyId" UUID,
ADD COLUMN     "reapplyRequestedAt" TIMESTAMP(3),
ADD COLUMN     "routesSeq" BIGINT;

-- CreateTable
CREATE TABLE "ObservedRoute" (
    "nodeId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "via" TEXT[],
    "isPresent" BOOLEAN NOT NULL DEFAULT true,
    "firstSeen" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastChange" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "flaps" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ObservedRoute_pkey" PRIMARY KEY ("nodeId","kind","prefix")
);

-- CreateIndex
CREATE INDEX "ObservedRoute_prefix_idx" ON "ObservedRoute"("prefix");

-- AddForeignKey
ALTER TABLE "ObservedRoute" ADD CONSTRAINT "ObservedRoute_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;
