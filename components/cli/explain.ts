import { isIP } from "net";
import { parseIpBlock } from "../istio";
import { DEFAULT_TIMEOUT_SECONDS } from "../offline/settle";
import { AuthorizationSimulator, Decision, formatDecision, formatExternalDecision, RequestSource, SimExternalRequest, SimProtocol, SimRequest, SimWorkload } from "../simulate";
import { parseArgs, ParsedArgs, stringOption } from "./args";
import { CliIO, Command } from "./command";
import { INPUT_OPTIONS, readInputObjects } from "./input-objects";
import { quote, shown } from "./text";
import { EXIT, UsageError } from "./usage-error";

const USAGE = `Usage: meshguard explain (FILE.yaml|DIR... | --program DIR) (--to NS/NAME | --to-external IP) CALLER [request options]

Answers "would Istio allow this request?" offline, from the AuthorizationPolicy,
PeerAuthentication and RequestAuthentication objects (any served version) in YAML files or
registered by a Pulumi program run offline, and explains why: the policy and rule that decided,
the mTLS mode, every rule evaluated, dry-run policies. For an ambient destination it names the
proxy that decided (its waypoint or its node's ztunnel) and the identity that proxy saw, and
the path the request took ("path: waypoint shop/waypoint allowed → ztunnel of shop/reviews denied").

Workloads (namespace, service account, pod labels, ports) come from the Deployments,
StatefulSets, DaemonSets, Jobs, Pods and Services among the objects. A workload not found there
is assumed: labels from --to-labels/--from-labels (default app=NAME), service account NAME.

Input (one of):
  FILE.yaml|DIR...       multi-document YAML files, or directories of *.yaml/*.yml
  --program DIR          a Pulumi project, run offline (as meshguard preview does)
  --stack NAME           stack of --program (default: dev)
  --timeout SECONDS      give up on a --program that has not finished after this long
                         (default: ${DEFAULT_TIMEOUT_SECONDS})

Destination (exactly one):
  --to NS/NAME           the destination workload
  --to-labels K=V,...    its pod labels when it is not among the objects
  --to-external IP       an address outside the cluster, decided through the caller's egress
                         NetworkPolicies (ipBlock/except) and its sidecar's outbound traffic
                         policy (ServiceEntries); --host names the host the caller asks for
                         (TLS SNI or HTTP Host), --port is required, the caller is a pod
  --outbound-traffic-policy ALLOW_ANY|REGISTRY_ONLY
                         meshConfig.outboundTrafficPolicy.mode (default ALLOW_ANY, Istio's)

Caller (exactly one):
  --from NS/SA           a mesh workload with this service account (mTLS identity)
  --from-workload NS/NAME  a workload among the objects (or assumed, with --from-labels)
  --plaintext            a caller outside the mesh: plaintext, no identity

Request:
  --port N               destination container port (default: the workload's first port, else 80)
  --protocol http|tcp    default: the port's protocol (Service port name/appProtocol), else http
  --method M             HTTP method (default GET)
  --path P               HTTP path (default /)
  --host H               HTTP host (default NAME.NS.svc.cluster.local)
  --headers JSON         request headers, e.g. '{"x-env":"prod"}'
  --jwt-claims JSON      claims of a JWT the request carries (iss, sub, aud, ...), assumed signed
  --source-ip IP         caller IP (one IPv4 or IPv6 address, not a CIDR), for ipBlocks and
                         source.ip conditions
  --via service|pod-ip   how the caller addresses an ambient destination (default service:
                         through its waypoint when one is named; pod-ip bypasses a service waypoint)
  --service NAME         the destination's Service when several select it
  --root-namespace NS    meshConfig.rootNamespace (default istio-system)
  --trust-domain TD      meshConfig.trustDomain (default cluster.local)
  --json                 print the decision as JSON
  -h, --help             show this help

Exit status: 0 allowed, 1 denied or undecided (a CUSTOM provider, a missing IP), 2 usage error
or unreadable input (a missing or invalid YAML file), 3 the program failed or did not finish.`;

const OPTIONS = {
    ...INPUT_OPTIONS,
    "to": "string",
    "to-labels": "string",
    "to-external": "string",
    "outbound-traffic-policy": "string",
    "from": "string",
    "from-workload": "string",
    "from-labels": "string",
    "plaintext": "boolean",
    "port": "string",
    "protocol": "string",
    "method": "string",
    "path": "string",
    "host": "string",
    "headers": "string",
    "jwt-claims": "string",
    "source-ip": "string",
    "via": "string",
    "service": "string",
    "root-namespace": "string",
    "trust-domain": "string",
    "json": "boolean",
} as const;

export const explainCommand: Command = {
    name: "explain",
    summary: "decide one request offline like Istio would, and explain why (policy, rule, mTLS)",
    usage: USAGE,
    run: runExplain,
};

async function runExplain(args: readonly string[], io: CliIO): Promise<number> {
    const parsed = parseArgs(args, OPTIONS);
    if (parsed.options["help"]) {
        io.stdout(`${USAGE}\n`);
        return EXIT.ok;
    }
    if (parsed.options["to-external"] !== undefined) return runExplainExternal(parsed, io);
    const request = requestFrom(parsed);
    const input = await readInputObjects("explain", parsed, io);
    if (!Array.isArray(input)) return input.exitCode;
    const manifests = input;
    const simulator = new AuthorizationSimulator({
        manifests,
        rootNamespace: stringOption(parsed, "root-namespace"),
        trustDomain: stringOption(parsed, "trust-domain"),
    });
    const assumed = assumeMissingWorkloads(simulator, request, parsed);
    const withAssumed = assumed.length === 0 ? simulator : new AuthorizationSimulator({
        manifests,
        workloads: assumed,
        rootNamespace: simulator.rootNamespace,
        trustDomain: simulator.trustDomain,
    });
    const decision = withAssumed.decide(request);
    if (parsed.options["json"] === true) {
        io.stdout(`${JSON.stringify(decision, null, 2)}\n`);
    } else {
        for (const w of assumed) io.stdout(`note: workload ${w.namespace}/${w.name} is not among the objects; assumed labels ${labelText(w.labels ?? {})}, service account ${w.serviceAccount}\n`);
        io.stdout(`${formatDecision(decision)}\n`);
    }
    return exitCode(decision);
}

/** `--to-external IP`: a request from a pod of the cluster to an address outside it. */
async function runExplainExternal(parsed: ParsedArgs, io: CliIO): Promise<number> {
    const request = externalRequestFrom(parsed);
    const policy = stringOption(parsed, "outbound-traffic-policy");
    if (policy !== undefined && policy !== "ALLOW_ANY" && policy !== "REGISTRY_ONLY") throw new UsageError(`--outbound-traffic-policy must be ALLOW_ANY or REGISTRY_ONLY (got ${shown(policy)})`);
    const input = await readInputObjects("explain", parsed, io);
    if (!Array.isArray(input)) return input.exitCode;
    const options = { manifests: input, rootNamespace: stringOption(parsed, "root-namespace"), trustDomain: stringOption(parsed, "trust-domain"), outboundTrafficPolicy: policy ?? "ALLOW_ANY" } as const;
    const simulator = new AuthorizationSimulator(options);
    const source = "workload" in request.from ? request.from.workload : undefined;
    const assumed = source === undefined || simulator.workloads.some((w) => `${w.namespace}/${w.name}` === source) ? [] : [assumedWorkload(source, stringOption(parsed, "from-labels"), "--from-labels")];
    const decision = (assumed.length === 0 ? simulator : new AuthorizationSimulator({ ...options, workloads: assumed })).decideExternal(request);
    if (parsed.options["json"] === true) {
        io.stdout(`${JSON.stringify(decision, null, 2)}\n`);
    } else {
        for (const w of assumed) io.stdout(`note: workload ${w.namespace}/${w.name} is not among the objects; assumed labels ${labelText(w.labels ?? {})}, service account ${w.serviceAccount}\n`);
        io.stdout(`${formatExternalDecision(decision)}\n`);
    }
    return decision.verdict === "allowed" ? EXIT.ok : 1;
}

function externalRequestFrom(parsed: ParsedArgs): SimExternalRequest {
    for (const flag of ["to", "to-labels", "plaintext", "via", "service"] as const) {
        if (parsed.options[flag] !== undefined) throw new UsageError(`--${flag} does not apply with --to-external (an address outside the cluster, called by a pod of the cluster)`);
    }
    const callers = (["from", "from-workload"] as const).filter((k) => parsed.options[k] !== undefined);
    if (callers.length !== 1) throw new UsageError("with --to-external give exactly one caller pod: --from NS/SA or --from-workload NS/NAME");
    const sa = stringOption(parsed, "from");
    const workload = stringOption(parsed, "from-workload");
    const from: RequestSource = sa !== undefined ? { serviceAccount: nsName(sa, "--from").join("/") } : { workload: nsName(workload ?? "", "--from-workload").join("/") };
    const ip = stringOption(parsed, "to-external") ?? "";
    if (ip.includes("/") || isIP(ip) === 0 || parseIpBlock(ip) === undefined) throw new UsageError(`--to-external must be one IPv4 or IPv6 address such as 203.0.113.10 (got ${quote(ip)})`);
    const portText = stringOption(parsed, "port");
    if (portText === undefined) throw new UsageError("--port is required with --to-external");
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new UsageError(`--port must be a port number 1-65535 (got ${shown(portText)})`);
    const host = stringOption(parsed, "host");
    return { from, to: host === undefined ? { ip } : { ip, host }, port, sourceIp: sourceIp(stringOption(parsed, "source-ip")) };
}

function exitCode(decision: Decision): number {
    return decision.verdict === "allowed" ? EXIT.ok : 1;
}

function requestFrom(parsed: ParsedArgs): SimRequest {
    const to = stringOption(parsed, "to");
    if (to === undefined) throw new UsageError("give a destination: --to NS/NAME or --to-external IP");
    nsName(to, "--to");
    const callers = (["from", "from-workload", "plaintext"] as const).filter((k) => parsed.options[k] !== undefined);
    if (callers.length !== 1) throw new UsageError("give exactly one caller: --from NS/SA, --from-workload NS/NAME or --plaintext");
    let from: RequestSource;
    const sa = stringOption(parsed, "from");
    const workload = stringOption(parsed, "from-workload");
    if (sa !== undefined) from = { serviceAccount: nsName(sa, "--from").join("/") };
    else if (workload !== undefined) from = { workload: nsName(workload, "--from-workload").join("/") };
    else from = { plaintext: true };
    const portText = stringOption(parsed, "port");
    const port = portText === undefined ? undefined : Number(portText);
    if (port !== undefined && (!/^\d+$/.test(portText ?? "") || port < 1 || port > 65535)) throw new UsageError(`--port must be a port number 1-65535 (got ${shown(portText ?? "")})`);
    const protocol = stringOption(parsed, "protocol");
    if (protocol !== undefined && protocol !== "http" && protocol !== "tcp") throw new UsageError(`--protocol must be http or tcp (got ${shown(protocol)})`);
    const via = stringOption(parsed, "via");
    if (via !== undefined && via !== "service" && via !== "pod-ip") throw new UsageError(`--via must be service or pod-ip (got ${shown(via)})`);
    return {
        from,
        to,
        port,
        protocol: protocol as SimProtocol | undefined,
        method: stringOption(parsed, "method"),
        path: stringOption(parsed, "path"),
        host: stringOption(parsed, "host"),
        headers: jsonObject(parsed, "headers") as Record<string, string> | undefined,
        jwt: jsonObject(parsed, "jwt-claims"),
        sourceIp: sourceIp(stringOption(parsed, "source-ip")),
        ...(via === undefined ? {} : { via: via as "service" | "pod-ip" }),
        ...(stringOption(parsed, "service") === undefined ? {} : { service: stringOption(parsed, "service") }),
    };
}

/** One IP address as the simulator parses it (components/istio/ip.ts) and Node agrees is one: no CIDR, no leading zeros. */
function sourceIp(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    if (text.includes("/") || isIP(text) === 0 || parseIpBlock(text) === undefined) {
        throw new UsageError(`--source-ip must be one IPv4 or IPv6 address such as 10.0.0.7 (not a CIDR block) (got ${quote(text)})`);
    }
    return text;
}

function nsName(value: string, flag: string): [string, string] {
    const parts = value.split("/");
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") throw new UsageError(`${flag} must be NAMESPACE/NAME (got ${shown(value)})`);
    return [parts[0], parts[1]];
}

function jsonObject(parsed: ParsedArgs, flag: string): Record<string, unknown> | undefined {
    const text = stringOption(parsed, flag);
    if (text === undefined) return undefined;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw new UsageError(`--${flag} must be a JSON object (got ${shown(text)})`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UsageError(`--${flag} must be a JSON object (got ${shown(text)})`);
    if (flag === "headers" && Object.values(value).some((v) => typeof v !== "string")) throw new UsageError("--headers values must be strings");
    return value as Record<string, unknown>;
}

function parseLabels(text: string | undefined, flag: string): Record<string, string> | undefined {
    if (text === undefined) return undefined;
    const labels: Record<string, string> = {};
    for (const pair of text.split(",")) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new UsageError(`${flag} must be K=V[,K=V...] (got ${shown(text)})`);
        labels[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return labels;
}

function labelText(labels: Record<string, string>): string {
    return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",") || "(none)";
}

/** Workloads named by the request but absent from the objects, assumed with MeshPolicy's defaults. */
function assumeMissingWorkloads(sim: AuthorizationSimulator, request: SimRequest, parsed: ParsedArgs): SimWorkload[] {
    const known = new Set(sim.workloads.map((w) => `${w.namespace}/${w.name}`));
    const wanted: [string, string | undefined, string][] = [[request.to, stringOption(parsed, "to-labels"), "--to-labels"]];
    if ("workload" in request.from) wanted.push([request.from.workload, stringOption(parsed, "from-labels"), "--from-labels"]);
    return wanted
        .filter(([key]) => !known.has(key))
        .map(([key, labels, flag]) => assumedWorkload(key, labels, flag));
}

/** A workload absent from the objects, assumed with MeshPolicy's defaults (labels app=NAME, service account NAME). */
function assumedWorkload(key: string, labels: string | undefined, flag: string): SimWorkload {
    const [namespace, name] = key.split("/");
    return { namespace, name, serviceAccount: name, labels: parseLabels(labels, flag) ?? { app: name } };
}
