// What discover must make of the Bookinfo metrics in fixtures/ (shared by the adopt and CLI tests).
import { MeshPolicyInput } from "../../components/model";

export const bookinfoService = (id: string, serviceAccount: string, port = 9080, protocol: "http" | "tcp" = "http") => ({
    id, namespace: "bookinfo", serviceAccount, selector: { app: id }, ports: [{ port, protocol }],
});

export const BOOKINFO_DISCOVERED: MeshPolicyInput = {
    services: [
        bookinfoService("details", "bookinfo-details"),
        bookinfoService("mysqldb", "bookinfo-mysqldb", 3306, "tcp"),
        bookinfoService("productpage", "bookinfo-productpage"),
        bookinfoService("ratings", "bookinfo-ratings"),
        bookinfoService("reviews", "bookinfo-reviews"),
    ],
    allow: [
        { from: { service: "productpage" }, to: "details", ports: [9080] },
        { from: { service: "ratings" }, to: "mysqldb", ports: [3306] },
        { from: { ingressGateway: true }, to: "productpage", ports: [9080] },
        { from: { service: "reviews" }, to: "ratings", ports: [9080] },
        { from: { service: "productpage" }, to: "reviews", ports: [9080] },
    ],
};

