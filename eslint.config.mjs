import js from "@eslint/js";
import tseslint from "typescript-eslint";


// Import layering (docs/architecture.md): each layer may import only the layers below it.
// Flat config does not merge one rule's options across matching blocks, so every layer lists all
// of its forbidden imports in one block, and the `files` globs of the blocks do not overlap.
const PULUMI = { regex: "^@pulumi/", message: "the pure core never imports Pulumi: do it in a component shell (components/*.ts) or the pack." };
function above(layers, why) {
    return { regex: `(^|/)(${layers.join("|")})(/|$)`, message: why };
}
const TOOLS = ["analyzer", "offline", "cli"];
const LAYER_RULES = [
    {
        files: ["components/kube/**/*.ts", "components/validation/**/*.ts", "components/constants.ts", "components/errors.ts", "components/manifest.ts"],
        patterns: [PULUMI, above(["istio", "model", "compile", "simulate", "render", "adopt", ...TOOLS], "the ground floor (kube, validation, constants, errors) imports no layer above it.")],
    },
    {
        files: ["components/istio/**/*.ts"],
        patterns: [PULUMI, above(["model", "compile", "simulate", "render", "adopt", ...TOOLS], "components/istio sits on kube only: model, compile and the tools build on it, not the other way.")],
    },
    {
        files: ["components/model/**/*.ts"],
        patterns: [PULUMI, above(["compile", "simulate", "render", "adopt", ...TOOLS], "components/model (input schemas) imports only istio, kube and the ground floor.")],
    },
    {
        files: ["components/compile/**/*.ts"],
        patterns: [PULUMI, above(["simulate", "render", "adopt", ...TOOLS], "components/compile imports only model, istio, kube and the ground floor.")],
    },
    {
        files: ["components/simulate/**/*.ts", "components/render/**/*.ts"],
        patterns: [PULUMI, above(["compile", "adopt", ...TOOLS], "the simulator and the renderer read manifests through istio and kube, never through the compiler or the tools.")],
    },
    {
        files: ["components/adopt/**/*.ts"],
        patterns: [PULUMI, above(TOOLS, "components/adopt is library code: it never imports the tools (analyzer, offline, cli).")],
    },
    {
        files: ["components/*.ts", "components/analyzer/**/*.ts", "components/offline/**/*.ts"],
        ignores: ["components/constants.ts", "components/errors.ts", "components/manifest.ts"],
        patterns: [above(["cli"], "library code never imports the CLI: move what both need below components/cli.")],
    },
    {
        files: ["policy-pack/**/*.ts"],
        patterns: [
            {
                regex: "(^|/)components(/(model|compile|simulate|render|adopt|analyzer|offline|cli|index|testing|istio-mesh|mesh-namespace|mesh-policy|step-registration|resolve-inputs)(/|$)|/?$)",
                message: "the pack imports only the public Istio and Kubernetes semantics: components/istio, components/kube, components/constants, components/errors, components/validation.",
            },
        ],
    },
].map(({ files, ignores, patterns }) => ({ files, ...(ignores ? { ignores } : {}), rules: { "no-restricted-imports": ["error", { patterns }] } }));

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
    ...LAYER_RULES,
);
