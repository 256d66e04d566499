CREATE TABLE `contact_enrichments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`entity_id` text NOT NULL,
	`field` text NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`data_found` text,
	`global_enrichment_id` text,
	`credit_transaction_id` text,
	`credits` integer NOT NULL,
	`reserved_credits` integer DEFAULT 0 NOT NULL,
	`settle_token` text,
	`created_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contact_enrichments_active_idx` ON `contact_enrichments` (`org_id`,`entity_id`,`field`) WHERE status IN ('pending', 'finished');--> statement-breakpoint
CREATE INDEX `contact_enrichments_entity_idx` ON `contact_enrichments` (`org_id`,`entity_id`,`field`,`created_at`);--> statement-breakpoint
CREATE INDEX `contact_enrichments_pending_idx` ON `contact_enrichments` (`created_at`) WHERE status = 'pending';