// One ESLint config for the whole repository (each workspace runs `eslint .` against it).
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import prettier from "eslint-config-prettier";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "**/.turbo/**",
      "**/.cache/**",
      "**/.data/**",
      "prisma/generated/**",
      "**/next-env.d.ts",
      "**/test-results/**",
      "**/playwright-report/**",
    ],
  },
  js.configs.recommended,
  // Plain JavaScript (scripts): no type information.
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: { ...globals.node } },
  },
  // TypeScript: type-checked rules.
  {
    files: ["**/*.{ts,tsx}"],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { prefer: "type-imports", fixStyle: "inline-type-imports" },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { attributes: false } },
      ],
      // Environment variables are read in exactly one validated env.ts per app.
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through env.ts." },
      ],
    },
  },
  {
    // Start-up code, configs, tests and the processes that pass the environment on to a child.
    files: [
      "**/env.ts",
      "**/*.config.ts",
      "**/*.test.ts",
      "e2e/**",
      "apps/web/src/server/**",
      "prisma/src/migrate.ts",
      "prisma/src/testing.ts",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  // netcfg is pure: no I/O, no clock, no randomness, no database.
  {
    files: ["packages/netcfg/src/**/*.ts"],
    ignores: ["packages/netcfg/src/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "node:*",
                "fs",
                "fs/*",
                "child_process",
                "net",
                "http",
                "https",
                "os",
                "crypto",
                "@meshover/prisma",
                "@prisma/*",
                "pg",
              ],
              message: "netcfg is pure: no I/O, no database (see STYLE.md point 4).",
            },
          ],
        },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "netcfg takes time as an input." },
        { object: "Math", property: "random", message: "netcfg is deterministic." },
        { object: "process", property: "env", message: "netcfg takes settings as input." },
        { object: "crypto", property: "getRandomValues", message: "netcfg is deterministic." },
      ],
      // Globals that reach the clock, randomness, the process or the network by another name
      // (globalThis.crypto, performance.now, process.hrtime, ...).
      "no-restricted-globals": [
        "error",
        ...["process", "crypto", "performance", "globalThis", "XMLHttpRequest", "WebSocket"].map(
          (name) => ({ name, message: "netcfg is pure: no clock, randomness or I/O." }),
        ),
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "netcfg takes time as an input.",
        },
        { selector: "Identifier[name='fetch']", message: "netcfg does no I/O." },
      ],
    },
  },
  // The web app: React hooks and Next.js rules.
  {
    files: ["apps/web/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks, "@next/next": nextPlugin },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
    },
    settings: { next: { rootDir: "apps/web" } },
  },
  prettier,
);
