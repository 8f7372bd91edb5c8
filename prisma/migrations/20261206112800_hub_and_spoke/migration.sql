-- AlterTable
ALTER TABLE "Node" ADD COLUMN     "isHub" BOOLEAN NOT NULL DEFAULT false;
