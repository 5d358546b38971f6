import * as assert from "assert";
import { PolicyPackRunResult, PolicyVerdict } from "../../components/analyzer";
import { PULUMI_WOULD_REFUSE, verdictReport } from "../../components/cli/verdict-report";

const policies = [
    { name: "peer-authentication-strict", description: "PeerAuthentication must be STRICT.", enforcementLevel: "mandatory" },
    { name: "policy-references-exist", description: "References should exist.", enforcementLevel: "advisory" },
    { name: "mesh-default-deny", description: "Namespaces must be default-deny.", enforcementLevel: "mandatory" },
];
const verdict = (policyName: string, enforcementLevel: PolicyVerdict["enforcementLevel"], message: string, resourceName?: string): PolicyVerdict => ({
    policyPackName: "meshguard",
    policyName,
    description: policies.find((p) => p.name === policyName)!.description,
    message,
    enforcementLevel,
    resourceName,
    resourceType: resourceName === undefined ? undefined : "kubernetes:core/v1:Namespace",
});

describe("cli: verdict report", () => {
    it("groups by policy, failing policies first in pack order, without repeating the description", () => {
        const run: PolicyPackRunResult = {
            policies,
            analyzed: 5,
            verdicts: [
                verdict("policy-references-exist", "advisory", "References should exist.\nNamespace shop: selector app=web matches nothing.", "shop"),
                verdict("mesh-default-deny", "mandatory", "Namespace web: no allow-nothing policy.\nFix: add one.", "web"),
                verdict("mesh-default-deny", "mandatory", "Namespace api: no allow-nothing policy.", "api"),
                verdict("peer-authentication-strict", "mandatory", "The stack has no mesh-wide policy."),
            ],
        };
        assert.strictEqual(verdictReport(run, "5 resources of project p, stack dev", PULUMI_WOULD_REFUSE), [
            "Policy verdicts: 3 policies over 5 resources of project p, stack dev",
            "",
            "  [mandatory] peer-authentication-strict (1 violation)",
            "      PeerAuthentication must be STRICT.",
            "    - the whole stack",
            "        The stack has no mesh-wide policy.",
            "",
            "  [mandatory] mesh-default-deny (2 violations)",
            "      Namespaces must be default-deny.",
            "    - kubernetes:core/v1:Namespace web",
            "        Namespace web: no allow-nothing policy.",
            "        Fix: add one.",
            "    - kubernetes:core/v1:Namespace api",
            "        Namespace api: no allow-nothing policy.",
            "",
            "  [advisory] policy-references-exist (1 violation)",
            "      References should exist.",
            "    - kubernetes:core/v1:Namespace shop",
            "        Namespace shop: selector app=web matches nothing.",
            "",
            "FAILED: 3 mandatory violations of 2 policies (pulumi preview --policy-pack policy-pack would refuse this).",
            "",
        ].join("\n"));
    });

    it("says PASSED when only advisory policies are violated, or none", () => {
        const advisory = verdictReport({ policies, analyzed: 1, verdicts: [verdict("policy-references-exist", "advisory", "x", "shop")] }, "1 resource");
        assert.ok(advisory.endsWith("\nPASSED with 1 advisory violation of 1 policy (not blocking).\n"), advisory);
        assert.strictEqual(verdictReport({ policies, analyzed: 1, verdicts: [] }, "1 resource"), "Policy verdicts: 3 policies over 1 resource\n\nPASSED: no policy violations.\n");
    });
});
