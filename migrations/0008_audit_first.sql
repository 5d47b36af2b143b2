ALTER TABLE "audit_log" ALTER COLUMN "status" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "client_request_id" text;