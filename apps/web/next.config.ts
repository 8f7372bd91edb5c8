import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages export TypeScript source.
  transpilePackages: ["@meshover/api", "@meshover/netcfg", "@meshover/prisma"],
  // Native or WASM-heavy server dependencies load from node_modules at run time.
  serverExternalPackages: [
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "@electric-sql/pglite",
    "@node-rs/argon2",
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  typescript: { ignoreBuildErrors: true }, // `npm run typecheck` checks types; the build needn't twice
};

export default config;
