ALTER TABLE "saved_searches" DROP CONSTRAINT "saved_searches_name_unique";--> statement-breakpoint
ALTER TABLE "saved_searches" ADD COLUMN "owner_key_id" text;--> statement-breakpoint
ALTER TABLE "saved_searches" ADD CONSTRAINT "saved_searches_owner_name_unique" UNIQUE NULLS NOT DISTINCT("owner_key_id","name");