import { checkDatabase } from "@meshover/api";
import { getDb } from "@meshover/api/db";
import { PageHeader } from "~/components/ui/page-header";

export const dynamic = "force-dynamic";

/** Landing page: the topology graph lands here once the topology API exists. */
export default async function TopologyPage() {
  const db = await checkDatabase({ db: getDb() });
  return (
    <div className="px-8 py-6">
      <PageHeader title="Topology" description="The mesh: nodes, tunnels and their health." />
      <p data-testid="db-status" className="text-sm">
        Database: {db.status} ({db.latencyMs} ms)
      </p>
    </div>
  );
}
