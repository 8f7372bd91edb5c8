-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'viewer');

-- CreateEnum
CREATE TYPE "RotationStatus" AS ENUM ('pending', 'reported', 'done', 'failed');

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'admin',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" TIMESTAMP(3),

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SetupCode" (
    "id" UUID NOT NULL,
    "codeHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "SetupCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "ipv4Pool" TEXT NOT NULL DEFAULT '10.128.0.0/16',
    "ipv6Pool" TEXT NOT NULL,
    "asnMin" BIGINT NOT NULL DEFAULT 4200000000,
    "asnMax" BIGINT NOT NULL DEFAULT 4294967294,
    "basePort" INTEGER NOT NULL DEFAULT 51820,
    "underlayMtu" INTEGER NOT NULL DEFAULT 1500,
    "tunnelMtu" INTEGER,
    "healthIntervalSec" INTEGER NOT NULL DEFAULT 5,
    "staleAfterSec" INTEGER NOT NULL DEFAULT 60,
    "meshVersion" BIGINT NOT NULL DEFAULT 1,
    "metricsTokenHash" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Node" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "asn" BIGINT NOT NULL,
    "ipv4" TEXT NOT NULL,
    "ipv6" TEXT NOT NULL,
    "publicKey" TEXT,
    "endpoints" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3),
    "agentVersion" TEXT,
    "hostInfo" JSONB,
    "desiredConfigVersion" BIGINT NOT NULL DEFAULT 0,
    "appliedConfigVersion" BIGINT,
    "applyError" TEXT,

    CONSTRAINT "Node_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdvertisedPrefix" (
    "id" UUID NOT NULL,
    "nodeId" UUID NOT NULL,
    "cidr" TEXT NOT NULL,
    "isAnycast" BOOLEAN NOT NULL DEFAULT false,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdvertisedPrefix_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnrollmentToken" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "nodeName" TEXT,
    "usesAllowed" INTEGER NOT NULL DEFAULT 1,
    "usesCount" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EnrollmentToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NodeCredential" (
    "id" UUID NOT NULL,
    "nodeId" UUID NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "NodeCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "KeyRotation" (
    "id" UUID NOT NULL,
    "nodeId" UUID NOT NULL,
    "status" "RotationStatus" NOT NULL DEFAULT 'pending',
    "oldPublicKey" TEXT,
    "newPublicKey" TEXT,
    "peerProgress" JSONB NOT NULL DEFAULT '{}',
    "error" TEXT,
    "requestedById" UUID,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reportedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "KeyRotation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HealthSample" (
    "id" BIGSERIAL NOT NULL,
    "nodeId" UUID NOT NULL,
    "peerId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "handshakeAt" TIMESTAMP(3),
    "rxBytes" BIGINT NOT NULL DEFAULT 0,
    "txBytes" BIGINT NOT NULL DEFAULT 0,
    "bgpState" TEXT,
    "bgpUptimeSec" INTEGER,
    "bfdState" TEXT,
    "prefixesReceived" INTEGER,
    "mtuConfigured" INTEGER,
    "mtuMeasured" INTEGER,
    "rttMs" DOUBLE PRECISION,

    CONSTRAINT "HealthSample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" UUID,
    "actorEmail" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "change" JSONB,
    "ip" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "SetupCode_codeHash_key" ON "SetupCode"("codeHash");

-- CreateIndex
CREATE UNIQUE INDEX "Node_name_key" ON "Node"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Node_index_key" ON "Node"("index");

-- CreateIndex
CREATE UNIQUE INDEX "Node_asn_key" ON "Node"("asn");

-- CreateIndex
CREATE UNIQUE INDEX "Node_ipv4_key" ON "Node"("ipv4");

-- CreateIndex
CREATE UNIQUE INDEX "Node_ipv6_key" ON "Node"("ipv6");

-- CreateIndex
CREATE UNIQUE INDEX "Node_publicKey_key" ON "Node"("publicKey");

-- CreateIndex
CREATE INDEX "AdvertisedPrefix_cidr_idx" ON "AdvertisedPrefix"("cidr");

-- CreateIndex
CREATE UNIQUE INDEX "AdvertisedPrefix_nodeId_cidr_key" ON "AdvertisedPrefix"("nodeId", "cidr");

-- CreateIndex
CREATE UNIQUE INDEX "EnrollmentToken_tokenHash_key" ON "EnrollmentToken"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "NodeCredential_secretHash_key" ON "NodeCredential"("secretHash");

-- CreateIndex
CREATE INDEX "NodeCredential_nodeId_idx" ON "NodeCredential"("nodeId");

-- CreateIndex
CREATE INDEX "KeyRotation_nodeId_requestedAt_idx" ON "KeyRotation"("nodeId", "requestedAt");

-- CreateIndex
CREATE INDEX "HealthSample_nodeId_peerId_at_idx" ON "HealthSample"("nodeId", "peerId", "at");

-- CreateIndex
CREATE INDEX "HealthSample_at_idx" ON "HealthSample"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdvertisedPrefix" ADD CONSTRAINT "AdvertisedPrefix_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NodeCredential" ADD CONSTRAINT "NodeCredential_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "KeyRotation" ADD CONSTRAINT "KeyRotation_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HealthSample" ADD CONSTRAINT "HealthSample_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HealthSample" ADD CONSTRAINT "HealthSample_peerId_fkey" FOREIGN KEY ("peerId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;
