import { strict as assert } from "assert";
import { readServices, serviceSelects } from "../../components/kube";

// One reading of core v1 Services (components/kube/services.ts) for the simulator and import.
describe("kube: Services (one reading)", function () {
    const svc = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "reviews", namespace: "bookinfo", labels: { "istio.io/use-waypoint": "waypoint" } },
        spec: {
            selector: { app: "reviews" },
            ports: [
                { name: "http", port: 9080, targetPort: "http-web", appProtocol: "http" },
                { port: "9443" },
                { name: "", port: 15000, targetPort: { bad: true }, protocol: "UDP" },
            ],
        },
    };

    it("reads name, namespace, labels, selector and the numbered ports with their position", function () {
        const [read] = readServices([svc, { apiVersion: "apps/v1", kind: "Service", metadata: { name: "not-core" } }, { apiVersion: "v1", kind: "Service", metadata: {} }]);
        assert.deepEqual(
            { ...read, ports: read.ports.map(({ raw: _raw, ...p }) => p) },
            {
                namespace: "bookinfo",
                name: "reviews",
                labels: { "istio.io/use-waypoint": "waypoint" },
                selector: { app: "reviews" },
                ports: [
                    { index: 0, port: 9080, targetPort: "http-web", name: "http", appProtocol: "http" },
                    { index: 2, port: 15000 },
                ],
            },
        );
        assert.deepEqual(read.ports[1].raw, svc.spec.ports[2], "the entry as written stays available to readers that report wrong types");
        assert.equal(readServices([svc]).length, 1);
        assert.equal(readServices([{ apiVersion: "v1", kind: "Service", metadata: { name: "x" } }])[0].namespace, "default");
    });

    it("a selector selects pods carrying all its labels; an empty selector selects none; prototype keys are not labels", function () {
        const [read] = readServices([svc]);
        assert.equal(serviceSelects(read, { app: "reviews", version: "v1" }), true);
        assert.equal(serviceSelects(read, { app: "ratings" }), false);
        const [bare] = readServices([{ apiVersion: "v1", kind: "Service", metadata: { name: "db" }, spec: { ports: [{ port: 5432 }] } }]);
        assert.equal(serviceSelects(bare, {}), false);
        const [proto] = readServices([{ apiVersion: "v1", kind: "Service", metadata: { name: "p" }, spec: { selector: { constructor: "x" } } }]);
        assert.equal(serviceSelects(proto, {}), false);
    });
});
