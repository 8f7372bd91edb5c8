-- CreateEnum
CREATE TYPE "UnderlayMode" AS ENUM ('auto', 'behind_nat', 'public');

-- AlterTable
ALTER TABLE "Node" ADD COLUMN     "canTransit" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "underlayMode" "UnderlayMode" NOT NULL DEFAULT 'auto';

-- CreateTable
CREATE TABLE "DirectPathFailure" (
    "nodeAId" UUID NOT NULL,
    "nodeBId" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "reportedBy" UUID NOT NULL,
    "failedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retryAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DirectPathFailure_pkey" PRIMARY KEY ("nodeAId","nodeBId")
);

-- CreateIndex
CREATE INDEX "DirectPathFailure_retryAt_idx" ON "DirectPathFailure"("retryAt");

-- AddForeignKey
ALTER TABLE "DirectPathFailure" ADD CONSTRAINT "DirectPathFailure_nodeAId_fkey" FOREIGN KEY ("nodeAId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DirectPathFailure" ADD CONSTRAINT "DirectPathFailure_nodeBId_fkey" FOREIGN KEY ("nodeBId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;
