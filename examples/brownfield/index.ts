// A running Bookinfo mesh, adopted step by step (docs/adoption.md, "Walkthrough"): the relationship
// graph is the one `meshguard discover` learnt from the mesh's own metrics (metrics/*.json →
// discovered.json, committed as generated and reviewed), and enforcement is staged: only the
// destinations in ENFORCED are enforced, every other one runs its AuthorizationPolicies in dry-run
// (`dryRunServices`) until `meshguard discover --check` says no observed call would break.
// The workloads, the mesh and the hand-written policies under existing/ already run in the cluster:
// this program only adds the MeshPolicy.
import * as fs from "fs";
import * as path from "path";
import { MeshNamespace, MeshPolicy, MeshPolicyInput } from "meshguard";

/** Destinations enforced so far; move one id here at a time, after a green `discover --check`. */
const ENFORCED = ["details"];

const discovered: MeshPolicyInput = JSON.parse(fs.readFileSync(path.join(__dirname, "discovered.json"), "utf8"));

// The namespace exists (and is injected) already: label it, and leave its baseline (STRICT mTLS,
// allow-nothing) to the MeshPolicy, which emits it for the namespaces of the declared services.
const bookinfo = new MeshNamespace("bookinfo", { name: "bookinfo", existing: true, mtls: false, defaultDeny: false });

new MeshPolicy("bookinfo", {
    ...discovered,
    dryRunServices: discovered.services.map((s) => s.id).filter((id) => !ENFORCED.includes(id)),
    // NetworkPolicies have no dry-run: a namespace default-deny would at once cut traffic nobody
    // declared (ratings → mongodb, which has no sidecar). Turn them on as a step of their own.
    networkPolicies: false,
    namespaceDependsOn: { bookinfo: bookinfo.ready },
});
