import * as assert from "assert";
import { dryRunState, namespaceEnrolment, parseGoBool, workloadEnrolment } from "../../components/istio";

type Labels = Record<string, string>;
interface Row {
    readonly title: string;
    readonly ns?: Labels;
    readonly pod?: Labels;
    readonly annotations?: Labels;
    readonly hostNetwork?: boolean;
    readonly name?: string;
    readonly expect: [dataplane: string, cause: string | undefined, reason: string];
}

// Each row cites the rule of Istio 1.30 that decides it: the webhooks of
// manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml (namespace.,
// object., rev.namespace., rev.object.), injectRequired in pkg/kube/inject/inject.go, and the
// ambient enablement selectors of manifests/charts/istio-cni/values.yaml.
const ROWS: readonly Row[] = [
    { title: "namespace. webhook: istio-injection=enabled", ns: { "istio-injection": "enabled" }, expect: ["sidecar", undefined, "namespace shop is labelled istio-injection=enabled"] },
    { title: "rev.namespace. webhook: istio.io/rev=canary", ns: { "istio.io/rev": "canary" }, expect: ["sidecar", undefined, "namespace shop is labelled istio.io/rev=canary"] },
    {
        title: "object. webhook: pod label sidecar.istio.io/inject=true in a namespace without injection labels",
        ns: {},
        pod: { "sidecar.istio.io/inject": "true" },
        expect: ["sidecar", undefined, "pod label sidecar.istio.io/inject=true (namespace shop has no injection label)"],
    },
    { title: "rev.object. webhook: pod label istio.io/rev", ns: {}, pod: { "istio.io/rev": "canary" }, expect: ["sidecar", undefined, "pod label istio.io/rev=canary (namespace shop has no injection label)"] },
    {
        title: "object. webhook needs the LABEL: the annotation alone opts nothing in",
        ns: {},
        annotations: { "sidecar.istio.io/inject": "true" },
        expect: ["none", "namespace", "namespace shop has no istio-injection, istio.io/rev or istio.io/dataplane-mode label and its pods do not opt in"],
    },
    {
        title: "object. webhook compares exactly: label True selects nothing",
        ns: {},
        pod: { "sidecar.istio.io/inject": "True" },
        expect: ["none", "namespace", "namespace shop has no istio-injection, istio.io/rev or istio.io/dataplane-mode label and its pods do not opt in"],
    },
    {
        title: "istio-injection=disabled wins over istio.io/rev (revision webhooks need istio-injection absent)",
        ns: { "istio-injection": "disabled", "istio.io/rev": "canary" },
        expect: ["none", "namespace", "namespace shop is labelled istio-injection=disabled"],
    },
    {
        title: "istio-injection=disabled: pod opt-in cannot override (object webhooks need istio-injection absent)",
        ns: { "istio-injection": "disabled" },
        pod: { "sidecar.istio.io/inject": "true" },
        expect: ["none", "namespace", "namespace shop is labelled istio-injection=disabled"],
    },
    {
        title: "label selectors compare exactly: istio-injection=Enabled selects no webhook",
        ns: { "istio-injection": "Enabled" },
        expect: ["none", "namespace", 'namespace shop is labelled istio-injection="Enabled", which no injection webhook selects'],
    },
    {
        title: "injectRequired: the pod label wins over the annotation (label true + annotation false → injected)",
        ns: { "istio-injection": "enabled" },
        pod: { "sidecar.istio.io/inject": "true" },
        annotations: { "sidecar.istio.io/inject": "false" },
        expect: ["sidecar", undefined, "namespace shop is labelled istio-injection=enabled"],
    },
    {
        title: "objectSelector NotIn [false]: pod label false opts out",
        ns: { "istio-injection": "enabled" },
        pod: { "sidecar.istio.io/inject": "false" },
        expect: ["none", "pod", "pod label sidecar.istio.io/inject=false opts its pods out of sidecar injection"],
    },
    {
        title: "injectRequired: the annotation false opts out when no label is set",
        ns: { "istio-injection": "enabled" },
        annotations: { "sidecar.istio.io/inject": "false" },
        expect: ["none", "pod", "pod annotation sidecar.istio.io/inject=false opts its pods out of sidecar injection"],
    },
    {
        title: "injectRequired accepts only true/false exactly: label FALSE falls back to the default (inject)",
        ns: { "istio-injection": "enabled" },
        pod: { "sidecar.istio.io/inject": "FALSE" },
        expect: ["sidecar", undefined, "namespace shop is labelled istio-injection=enabled"],
    },
    {
        title: "injectRequired skips hostNetwork pods",
        ns: { "istio-injection": "enabled" },
        hostNetwork: true,
        expect: ["none", "host-network", "its pods use the host network (spec.hostNetwork: true), which Istio never injects nor captures"],
    },
    { title: "injectRequired skips kube-system", name: "kube-system", ns: { "istio-injection": "enabled" }, expect: ["none", "system-namespace", "namespace kube-system is one istiod never injects"] },
    { title: "ambient: namespace istio.io/dataplane-mode=ambient", ns: { "istio.io/dataplane-mode": "ambient" }, expect: ["ambient", undefined, "namespace shop is labelled istio.io/dataplane-mode=ambient"] },
    { title: "ambient: pod label istio.io/dataplane-mode=ambient", ns: {}, pod: { "istio.io/dataplane-mode": "ambient" }, expect: ["ambient", undefined, "pod label istio.io/dataplane-mode=ambient"] },
    {
        title: "ambient: pod label istio.io/dataplane-mode=none opts out",
        ns: { "istio.io/dataplane-mode": "ambient" },
        pod: { "istio.io/dataplane-mode": "none" },
        expect: ["none", "pod", "pod label istio.io/dataplane-mode=none opts its pods out of ambient (namespace shop is labelled istio.io/dataplane-mode=ambient)"],
    },
    {
        title: "ambient: a sidecar opt-out does not leave ambient",
        ns: { "istio.io/dataplane-mode": "ambient" },
        pod: { "sidecar.istio.io/inject": "false" },
        expect: ["ambient", undefined, "namespace shop is labelled istio.io/dataplane-mode=ambient"],
    },
    {
        title: "ambient: an unknown value enrols nothing",
        ns: { "istio.io/dataplane-mode": "other" },
        expect: ["none", "namespace", "namespace shop has no istio-injection, istio.io/rev or istio.io/dataplane-mode label and its pods do not opt in"],
    },
    { title: "namespace not among the objects: the pod decides", expect: ["sidecar", undefined, "namespace shop is not among the objects (assumed labelled istio-injection=enabled)"] },
];

describe("istio enrolment: mesh membership as Istio's webhooks and istio-cni decide it", () => {
    for (const row of ROWS) {
        it(row.title, () => {
            const got = workloadEnrolment(
                { name: row.name ?? "shop", labels: row.ns },
                { labels: row.pod ?? {}, annotations: row.annotations ?? {}, hostNetwork: row.hostNetwork },
            );
            assert.deepStrictEqual([got.dataplane, got.cause, got.reason], row.expect);
            assert.strictEqual(got.inMesh, row.expect[0] !== "none");
        });
    }

    it("names unknown values instead of calling them absent", () => {
        assert.deepStrictEqual(namespaceEnrolment({ "istio.io/dataplane-mode": "other" }).notes, [
            {
                scope: "namespace",
                path: 'metadata.labels["istio.io/dataplane-mode"]',
                problem: 'has the unknown value "other" (istio-cni enrols only "ambient", exactly), so it enrols nothing',
                fix: "set istio.io/dataplane-mode=ambient, or remove the label",
            },
        ]);
    });

    it("reports no conflict for istio-injection=disabled with istio.io/rev", () => {
        assert.deepStrictEqual(namespaceEnrolment({ "istio-injection": "disabled", "istio.io/rev": "canary" }), {
            mode: "disabled",
            label: "istio-injection=disabled",
            podOptIn: false,
            ambient: false,
            notes: [],
        });
    });

    it("notes a label/annotation contradiction as advisory: the label decides", () => {
        const got = workloadEnrolment({ name: "shop", labels: { "istio-injection": "enabled" } }, { labels: { "sidecar.istio.io/inject": "true" }, annotations: { "sidecar.istio.io/inject": "false" } });
        assert.deepStrictEqual(got.notes, [
            {
                scope: "pod",
                path: 'metadata.annotations["sidecar.istio.io/inject"]',
                problem: 'says "false" but the label says "true"; Istio reads only the label when both are set, so the annotation has no effect',
                fix: "remove the deprecated annotation sidecar.istio.io/inject and keep the label",
                advisory: true,
            },
        ]);
    });
});

describe("istio dry-run: one parser with Go strconv.ParseBool semantics", () => {
    it("accepts exactly Go's spellings", () => {
        assert.deepStrictEqual(["1", "t", "T", "TRUE", "true", "True"].map(parseGoBool), [true, true, true, true, true, true]);
        assert.deepStrictEqual(["0", "f", "F", "FALSE", "false", "False"].map(parseGoBool), [false, false, false, false, false, false]);
        assert.deepStrictEqual(["yes", "tRUE", " true", ""].map(parseGoBool), [undefined, undefined, undefined, undefined]);
    });

    it("classifies the annotation as istiod does: unparsable values are enforced (builder.go isDryRun)", () => {
        const state = (value: unknown) => dryRunState(value === undefined ? {} : { "istio.io/dry-run": value });
        assert.deepStrictEqual([state(undefined), state("1"), state("False"), state("yes"), state(true)], ["enforced", "dry-run", "enforced", "invalid", "invalid"]);
    });
});
