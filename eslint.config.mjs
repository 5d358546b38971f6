import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "dist/", "policy-pack/dist/", "meshguard-out/", "**/node_modules/", "bench/results/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly", __dirname: "readonly", __filename: "readonly" } },
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            "@typescript-eslint/no-explicit-any": "error",
            "eqeqeq": ["error", "always"],
            "no-console": "off",
        },
    },
    {
        files: ["bin/**/*.js"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
