import * as fs from "fs";
import * as path from "path";
import { formatImportReport, ImportInputError, importedPolicyModule, importMeshPolicy, MeshImport } from "../adopt";
import { checkIstioSecurityObject } from "../istio/schema/security";
import { nameOf, namespaceOf } from "../kube";
import { parseArgs, stringOption } from "./args";
import { fieldPosition } from "./import-positions";
import { CliIO } from "./command";
import { LoadedManifest, loadManifests, ManifestLoadError, manifestProblemsText } from "./manifest-files";
import { shown } from "./text";
import { UsageError } from "./usage-error";

/** Exit codes of `meshguard import` (docs/cli.md, exit status). */
export const IMPORT_EXIT = {
    equivalent: 0,
    /** The input would allow more than the original objects: never silent, nothing written. */
    broader: 1,
    usage: 2,
    /** Newly denied calls, a stronger mTLS mode, or objects kept as is: written, not equivalent on its own. */
    narrower: 4,
} as const;

const OPTIONS = { "format": "string", "out": "string", "ingress-gateway": "string", "root-namespace": "string", "trust-domain": "string" } as const;

function gatewayOption(text: string | undefined): { namespace: string; serviceAccount: string } | undefined {
    if (text === undefined) return undefined;
    const parts = text.split("/");
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") throw new UsageError(`--ingress-gateway must be NAMESPACE/SERVICE_ACCOUNT (got ${shown(text)})`);
    return { namespace: parts[0], serviceAccount: parts[1] };
}

/** Istio objects the strict schema rejects, each naming file, document, line and column, object and field. */
function invalidIstioObjects(manifests: readonly LoadedManifest[], cwd: string): string[] {
    return manifests.flatMap((m) =>
        checkIstioSecurityObject(m.object).map((issue) => {
            const position = fieldPosition(path.resolve(cwd, m.file), m.document, issue.path);
            return `${m.file}: document ${m.document}${position === undefined ? "" : `, ${position}`}: ${m.object.kind} ${namespaceOf(m.object)}/${nameOf(m.object) ?? ""}: ${issue.path}: ${issue.message}`;
        }),
    );
}

export async function runImport(args: readonly string[], io: CliIO): Promise<number> {
    const parsed = parseArgs(args, OPTIONS);
    if (parsed.positionals.length === 0) throw new UsageError("expected YAML files or directories holding the mesh's Istio policies");
    const format = stringOption(parsed, "format") ?? "json";
    if (format !== "json" && format !== "ts") throw new UsageError(`--format must be json or ts (got ${shown(format)})`);
    const out = stringOption(parsed, "out");
    const ingressGateway = gatewayOption(stringOption(parsed, "ingress-gateway"));
    let manifests: LoadedManifest[];
    try {
        manifests = loadManifests(parsed.positionals, io.cwd).manifests;
    } catch (err) {
        if (!(err instanceof ManifestLoadError)) throw err;
        io.stderr(`meshguard import: ${manifestProblemsText(err)}`);
        return IMPORT_EXIT.usage;
    }
    const invalid = invalidIstioObjects(manifests, io.cwd);
    if (invalid.length > 0) {
        io.stderr(`meshguard import: invalid Istio objects (istiod would reject them; fix them first):\n${invalid.map((p) => `  ${p}\n`).join("")}`);
        return IMPORT_EXIT.usage;
    }
    let result: MeshImport;
    try {
        result = importMeshPolicy(
            manifests.map((m) => m.object),
            { ingressGateway, rootNamespace: stringOption(parsed, "root-namespace"), trustDomain: stringOption(parsed, "trust-domain") },
        );
    } catch (err) {
        if (!(err instanceof ImportInputError)) throw err;
        io.stderr(`meshguard import: ${parsed.positionals.join(", ")}: ${err.message}\n`);
        return IMPORT_EXIT.usage;
    }
    io.stderr(formatImportReport(result));
    if (result.verdict === "broader") return IMPORT_EXIT.broader;
    const text = format === "ts" ? importedPolicyModule(result.input) : `${JSON.stringify(result.input, null, 2)}\n`;
    if (out === undefined) io.stdout(text);
    else fs.writeFileSync(path.resolve(io.cwd, out), text);
    return result.verdict === "equivalent" ? IMPORT_EXIT.equivalent : IMPORT_EXIT.narrower;
}
