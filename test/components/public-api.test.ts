import * as assert from "assert";
import * as rootModule from "meshguard";
import * as analyzerModule from "meshguard/analyzer";
import * as istioModule from "meshguard/istio";
import * as offlineModule from "meshguard/offline";
import * as testingModule from "meshguard/testing";

// The package's public surface (README "Public API"): the root exports what users compose;
// internals are reachable only through their subpath exports.
const root = rootModule as unknown as Record<string, unknown>;
const testing = testingModule as unknown as Record<string, unknown>;
const istio = istioModule as unknown as Record<string, unknown>;
const analyzer = analyzerModule as unknown as Record<string, unknown>;
const offline = offlineModule as unknown as Record<string, unknown>;

function kinds(module: Record<string, unknown>, names: readonly string[]): Record<string, string> {
    return Object.fromEntries(names.map((name) => [name, typeof module[name]]));
}

describe("public API", () => {
    it("the root exports the components, compile functions, model parsers, simulator, testing helpers, errors and constants", () => {
        const names = [
            "IstioMesh",
            "MeshNamespace",
            "MeshPolicy",
            "compileMeshPolicy",
            "allowNothingPolicy",
            "parseMeshPolicy",
            "checkIstioSecurityObject",
            "AuthorizationSimulator",
            "simulateRequest",
            "reachability",
            "formatDecision",
            "expectAllowed",
            "expectDenied",
            "MeshguardValidationError",
            "kubernetesYamlFiles",
            "meshMermaid",
        ];
        assert.deepStrictEqual(kinds(root, names), Object.fromEntries(names.map((name) => [name, "function"])));
        assert.deepStrictEqual(
            { ALLOW_NOTHING_NAME: root.ALLOW_NOTHING_NAME, STRICT_MTLS_NAME: root.STRICT_MTLS_NAME, DEFAULT_INGRESS_GATEWAY: root.DEFAULT_INGRESS_GATEWAY },
            { ALLOW_NOTHING_NAME: "allow-nothing", STRICT_MTLS_NAME: "default", DEFAULT_INGRESS_GATEWAY: { namespace: "istio-ingress", serviceAccount: "istio-ingressgateway" } },
        );
    });

    it("the root does not export the internals", () => {
        const internals = ["analyzeRequest", "toAnalyzerValue", "runPolicyPack", "compileRule", "SelectorIndex", "matchPath", "OfflineRecorder", "runProgramOffline", "toPlainValue"];
        assert.deepStrictEqual(kinds(root, internals), Object.fromEntries(internals.map((name) => [name, "undefined"])));
    });

    it("each subpath export serves its internals", () => {
        assert.deepStrictEqual(
            {
                testing: kinds(testing, ["expectAllowed", "expectDenied"]),
                istio: kinds(istio, ["compileRule", "SelectorIndex", "matchPath", "workloadEnrolment"]),
                analyzer: kinds(analyzer, ["analyzeRequest", "toAnalyzerValue", "runPolicyPack", "startPolicyPack"]),
                offline: kinds(offline, ["OfflineRecorder", "runProgramOffline", "toPlainValue", "loadProject"]),
            },
            {
                testing: { expectAllowed: "function", expectDenied: "function" },
                istio: { compileRule: "function", SelectorIndex: "function", matchPath: "function", workloadEnrolment: "function" },
                analyzer: { analyzeRequest: "function", toAnalyzerValue: "function", runPolicyPack: "function", startPolicyPack: "function" },
                offline: { OfflineRecorder: "function", runProgramOffline: "function", toPlainValue: "function", loadProject: "function" },
            },
        );
    });
});
