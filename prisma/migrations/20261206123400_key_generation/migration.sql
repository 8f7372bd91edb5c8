-- Make-before-break key rotation (#16): completed rotations per node (its parity picks the tunnel slot).
ALTER TABLE "Node" ADD COLUMN "keyGeneration" INTEGER NOT NULL DEFAULT 0;
