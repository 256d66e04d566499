CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`status` text NOT NULL,
	`strategy` text NOT NULL,
	`integration_codes` text NOT NULL,
	`entity_types` text NOT NULL,
	`entity_count` integer NOT NULL,
	`succeeded` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`cancelled` integer DEFAULT 0 NOT NULL,
	`credits` integer DEFAULT 0 NOT NULL,
	`cost_cents` integer DEFAULT 0 NOT NULL,
	`webhook_id` text,
	`parent_job_id` text,
	`reserved_credits` integer DEFAULT 0 NOT NULL,
	`release_token` text,
	`version` integer DEFAULT 0 NOT NULL,
	`created_by_key_id` text,
	`created_at` text NOT NULL,
	`started_at` text,
	`finished_at` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `jobs_org_created_idx` ON `jobs` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_org_status_idx` ON `jobs` (`org_id`,`status`,`created_at`);