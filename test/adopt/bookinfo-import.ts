// What import must make of fixtures/import/bookinfo (shared by the adopt and CLI tests).
import { MeshPolicyInput } from "../../components/model";

/** What the import makes of test/adopt/fixtures/import/bookinfo (hand-written Bookinfo policies). */
export const BOOKINFO_IMPORTED: MeshPolicyInput = {
    services: [
        { id: "details", namespace: "bookinfo", serviceAccount: "bookinfo-details", selector: { app: "details" }, ports: [{ port: 9080, protocol: "http", name: "http" }] },
        { id: "mysqldb", namespace: "bookinfo", serviceAccount: "bookinfo-mysqldb", selector: { app: "mysqldb" }, ports: [{ port: 3306, protocol: "tcp", name: "tcp" }] },
        { id: "productpage", namespace: "bookinfo", serviceAccount: "bookinfo-productpage", selector: { app: "productpage" }, ports: [{ port: 9080, protocol: "http", name: "http" }] },
        { id: "ratings", namespace: "bookinfo", serviceAccount: "bookinfo-ratings", selector: { app: "ratings" }, ports: [{ port: 80, protocol: "http", name: "http", targetPort: 9080 }] },
        { id: "reviews", namespace: "bookinfo", serviceAccount: "bookinfo-reviews", selector: { app: "reviews" }, ports: [{ port: 9080, protocol: "http", name: "http" }] },
    ],
    allow: [
        {
            from: { endUsers: { issuer: "https://accounts.example.com", jwksUri: "https://accounts.example.com/.well-known/jwks.json", claims: { groups: ["reviewers"] } } },
            to: "productpage",
            methods: ["POST"],
            paths: ["/api/v1/products/*", "/login"],
        },
        { from: { ingressGateway: true }, to: "productpage", ports: [9080], methods: ["GET", "HEAD"] },
        { from: { service: "productpage" }, to: "details", methods: ["GET"] },
        { from: { service: "productpage" }, to: "reviews", ports: [9080], methods: ["GET"], paths: ["/reviews/*"] },
        { from: { service: "ratings" }, to: "mysqldb", ports: [3306] },
        { from: { service: "reviews" }, to: "ratings", ports: [80], methods: ["GET"] },
    ],
    deny: [{ to: "mysqldb", unlessFrom: [{ service: "ratings" }] }],
    defaultDeny: true,
    mtls: "STRICT",
    destinationRules: true,
    networkPolicies: false,
};
