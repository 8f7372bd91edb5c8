-- CreateTable
CREATE TABLE "MeshEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nodeId" UUID NOT NULL,
    "peerId" UUID,
    "kind" TEXT NOT NULL,
    "detail" TEXT,

    CONSTRAINT "MeshEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MeshEvent_at_idx" ON "MeshEvent"("at");

-- CreateIndex
CREATE INDEX "MeshEvent_nodeId_at_idx" ON "MeshEvent"("nodeId", "at");
