import * as assert from "assert";
import * as path from "path";
import { loadManifests, ManifestLoadError } from "../../components/cli/manifest-files";
import { FIXTURES } from "./run-cli";

describe("cli: loading YAML manifests for check", () => {
    const cwd = path.join(FIXTURES, "manifests");

    it("reports every invalid document with its file and 1-based index", () => {
        let error: unknown;
        try {
            loadManifests(["broken", "missing.yaml"], cwd);
        } catch (err) {
            error = err;
        }
        assert.ok(error instanceof ManifestLoadError);
        assert.deepStrictEqual(error.problems, [
            "missing.yaml: no such file or directory",
            [
                `${path.join("broken", "invalid-yaml.yaml")}: document 2: invalid YAML at line 11, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
                "      10 | data: [unclosed",
                "                          ^",
            ].join("\n"),
            `${path.join("broken", "missing-kind.yaml")}: document 3: not a Kubernetes object: missing "kind"`,
            `${path.join("broken", "missing-kind.yaml")}: document 4: expected a Kubernetes object (a mapping with apiVersion and kind), found a list`,
        ]);
    });

    it("expands kind: List", () => {
        const { manifests, files } = loadManifests([path.join("secure", "list.yaml")], cwd);
        assert.deepStrictEqual(files, [path.join("secure", "list.yaml")]);
        assert.deepStrictEqual(manifests.map((m) => [m.document, m.object.kind, m.object.metadata?.name]), [
            [1, "Namespace", "payments"],
            [1, "PeerAuthentication", "default"],
            [1, "AuthorizationPolicy", "allow-nothing"],
        ]);
    });
});
