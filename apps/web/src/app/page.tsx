import { checkDatabase } from "@meshover/api";
import { getDb } from "@meshover/api/db";

export const dynamic = "force-dynamic";

/** Landing page until the dashboard exists: says the controller is up and how its DB is. */
export default async function HomePage() {
  const db = await checkDatabase({ db: getDb() });
  return (
    <main className="mx-auto flex max-w-2xl flex-col gap-4 px-6 py-16">
      <h1 className="text-3xl font-semibold tracking-tight">meshover controller</h1>
      <p className="text-slate-600">
        The controller is running. The dashboard (topology, nodes, tokens) is being built.
      </p>
      <p data-testid="db-status" className="text-sm">
        Database:{" "}
        <span className={db.status === "up" ? "text-emerald-700" : "text-red-700"}>
          {db.status}
        </span>{" "}
        ({db.latencyMs} ms)
      </p>
    </main>
  );
}
