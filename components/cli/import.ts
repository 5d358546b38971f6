import { CliIO, Command } from "./command";

const USAGE = `Usage: meshguard import FILE_OR_DIR... [options]

Reads the mesh's existing Istio security objects (AuthorizationPolicy, PeerAuthentication,
RequestAuthentication, DestinationRule) and the Kubernetes objects next to them (Services,
Deployments and other workloads, Namespaces) from YAML files or directories, and writes the
MeshPolicy input that expresses them: services from the Services (selector, ports, the service
account of the workloads they select), relationships from ALLOW policies, deny rules from DENY
policies with notPrincipals/notNamespaces exemptions, defaultDeny from allow-nothing policies,
mtls: STRICT from namespace-wide STRICT PeerAuthentications, end users from requestPrincipals
and RequestAuthentications, destinationRules from ISTIO_MUTUAL DestinationRules.

An object that cannot be expressed exactly (notPaths, ipBlocks, CUSTOM or AUDIT policies, when
conditions, rules: [{}], mesh-wide policies in the root namespace, dry-run policies...) is kept
as is and reported with the field. Equivalence is proven by simulation: the original objects and
the compiled input (with the kept objects applied unchanged) are probed over the same workloads,
and every call newly allowed or newly denied, and every mTLS change, is listed.

The input goes to stdout (or --out FILE), the report to stderr.

Options:
  --format json|ts         JSON (default) or a TypeScript module exporting the input
  --out FILE               write the input to FILE instead of stdout (nothing is written on error
                           or when the result would be broader)
  --ingress-gateway NS/SA  identity of the ingress gateway (default istio-ingress/istio-ingressgateway)
  --root-namespace NS      meshConfig.rootNamespace (default istio-system)
  --trust-domain TD        meshConfig.trustDomain (default cluster.local)
  -h, --help               show this help

Exit status: 0 equivalent (every object translated, same reachability and mTLS), 1 the result
would be BROADER than the original (nothing written), 2 usage error or unreadable input (invalid
YAML, objects that are not Kubernetes objects, an invalid Istio object, no Istio security object,
no Service to declare; nothing written), 4 narrower or only partly expressible (written; the
report lists the newly denied calls and the objects to keep applied).`;

export const importCommand: Command = {
    name: "import",
    summary: "write the MeshPolicy input that expresses existing Istio policies, proven equivalent by simulation",
    usage: USAGE,
    // Loaded on use (a CommonJS require, as ts-node and dist/ both run CommonJS): the translation
    // and the simulator are not needed by the other commands.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    run: async (args: readonly string[], io: CliIO) => (require("./import-run") as typeof import("./import-run")).runImport(args, io),
};
