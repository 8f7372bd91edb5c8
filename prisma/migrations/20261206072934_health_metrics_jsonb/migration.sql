-- One JSONB column for the per-tunnel figures SQL does not aggregate (BGP, BFD, MTU, ...), so a
-- new metric is a field of ZPeerMetrics (netcfg protocol) and needs no migration. Existing
-- samples keep their values: they move into `metrics` (nulls left out, read back as null).
ALTER TABLE "HealthSample" ADD COLUMN "metrics" JSONB NOT NULL DEFAULT '{}';

UPDATE "HealthSample" SET "metrics" = jsonb_strip_nulls(jsonb_build_object(
  'bgpState', "bgpState",
  'bgpUptimeSec', "bgpUptimeSec",
  'bfdState', "bfdState",
  'prefixesReceived', "prefixesReceived",
  'mtuConfigured', "mtuConfigured",
  'mtuMeasured', "mtuMeasured"
));

ALTER TABLE "HealthSample" DROP COLUMN "bfdState",
DROP COLUMN "bgpState",
DROP COLUMN "bgpUptimeSec",
DROP COLUMN "mtuConfigured",
DROP COLUMN "mtuMeasured",
DROP COLUMN "prefixesReceived";
