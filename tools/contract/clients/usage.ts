// What a TypeScript client relies on in the types openapi-typescript generates from
// spec/openapi.json: scripts/contract-clients.sh copies this file beside the generated `ucr.d.ts`
// and compiles both with `tsc --strict`, so a contract change that breaks these uses fails there.
import type { operations, paths } from "./ucr";

type Json<R> = R extends { content: { "application/json": infer B } } ? B : never;
type ProblemJson<R> = R extends { content: { "application/problem+json": infer B } } ? B : never;

// Reading holdings: a page of unit blocks with an optional next-page token.
type Holdings = Json<paths["/v1/accounts/{account_id}/holdings"]["get"]["responses"][200]>;
export function availableAccus(page: Holdings): number {
  return page.items
    .filter((b) => b.unit_type === "ACCU" && b.status === "available")
    .reduce((sum, b) => sum + b.quantity, 0);
}
export const lastPage: Holdings["next_page"] = null;

// Initiating a transfer: the request body, and an Idempotency-Key the contract requires.
type InitiateTransfer = operations["initiate_transfer"];
export const transferRequest: Json<InitiateTransfer["requestBody"]> = {
  from_account_id: "AU-1000001",
  to_account_id: "AU-1000002",
  unit_type: "ACCU",
  quantity: 250,
};
export const initiateHeaders: InitiateTransfer["parameters"]["header"] = {
  "Idempotency-Key": "9f0c4e0e-3b53-4c55-9a55-0d1f5b1f2b11",
};
// @ts-expect-error a write without an Idempotency-Key does not type-check
export const missingKey: InitiateTransfer["parameters"]["header"] = {};

// Approving it: the transfer comes back with its status.
type Approved = Json<operations["approve_transfer"]["responses"][200]>;
export function isCompleted(t: Approved): boolean {
  return t.status === "completed";
}

// Refusals are RFC 9457 problem documents under application/problem+json.
type Conflict = ProblemJson<InitiateTransfer["responses"][409]>;
export function problemType(p: Conflict): string {
  return p.type;
}
