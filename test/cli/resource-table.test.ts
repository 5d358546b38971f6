import * as assert from "assert";
import { resourceTable } from "../../components/cli/resource-table";
import { RegisteredResource } from "../../components/offline";

const resource = (type: string, name: string, parent?: string, custom = true): RegisteredResource => ({
    urn: `urn:${name}`, type, name, custom, remote: false, parent: parent && `urn:${parent}`, dependencies: [], propertyDependencies: {}, inputs: {},
});

describe("cli: resource table", () => {
    it("indents children under their parent, siblings in registration order, with parent names and notes", () => {
        const table = resourceTable([
            resource("pulumi:pulumi:Stack", "p-dev", undefined, false),
            resource("meshguard:index:IstioMesh", "mesh", "p-dev", false),
            resource("kubernetes:core/v1:Namespace", "ns", "p-dev"),
            resource("kubernetes:helm.sh/v4:Chart", "base", "mesh", false),
            resource("kubernetes:helm.sh/v4:Chart", "istiod", "mesh", false),
        ], new Map([["urn:istiod", "Helm chart"]]));
        assert.strictEqual(table, [
            "     Type                                Name     Parent   Info",
            " +   pulumi:pulumi:Stack                 p-dev",
            " +   ├─ meshguard:index:IstioMesh        mesh     p-dev",
            " +   │  ├─ kubernetes:helm.sh/v4:Chart   base     mesh",
            " +   │  └─ kubernetes:helm.sh/v4:Chart   istiod   mesh     Helm chart",
            " +   └─ kubernetes:core/v1:Namespace     ns       p-dev",
            "",
        ].join("\n"));
    });
});
