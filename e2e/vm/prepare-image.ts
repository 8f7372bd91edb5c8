// `tsx e2e/vm/prepare-image.ts`: build the VM tier's guest image into the cache when missing.
// npm test starts this at its beginning, in the background (debootstrap mostly waits on the
// mirror and the disk), so the cold build overlaps the other tiers instead of adding to them.
import { ensureImage } from "./harness/build-image";

const image = await ensureImage((line) => console.log(`[vm] ${line}`));
console.log(
  image.wasBuilt
    ? `[vm] image built in ${(image.buildMs / 1000).toFixed(0)} s: ${image.dir}`
    : `[vm] image already cached: ${image.dir}`,
);
