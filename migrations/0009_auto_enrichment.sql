CREATE TABLE `auto_enrichment_budget_windows` (
	`org_id` text NOT NULL,
	`period` text NOT NULL,
	`period_key` text NOT NULL,
	`reserved` integer DEFAULT 0 NOT NULL,
	`spent` integer DEFAULT 0 NOT NULL,
	`exhausted_at` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`org_id`, `period`, `period_key`)
);
--> statement-breakpoint
CREATE TABLE `auto_enrichment_config_versions` (
	`org_id` text NOT NULL,
	`version` integer NOT NULL,
	`config` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by_key_id` text,
	PRIMARY KEY(`org_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `auto_enrichment_configs` (
	`org_id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`config` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by_key_id` text
);
--> statement-breakpoint
CREATE TABLE `auto_enrichment_conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`entity_id` text NOT NULL,
	`entity_type` text NOT NULL,
	`field` text NOT NULL,
	`enriched_field` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`current_value` text,
	`current_source` text,
	`proposed_value` text NOT NULL,
	`proposed_hash` text NOT NULL,
	`proposed_source` text NOT NULL,
	`proposed_confidence` real NOT NULL,
	`enrichment_id` text NOT NULL,
	`created_by_job_id` text NOT NULL,
	`job_id` text NOT NULL,
	`occurrences` integer DEFAULT 1 NOT NULL,
	`first_seen_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`resolution_action` text,
	`resolution_value` text,
	`resolution_note` text,
	`resolution_auto` integer DEFAULT false NOT NULL,
	`resolve_token` text,
	`resolved_at` text,
	`resolved_by_key_id` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `auto_conflicts_open_idx` ON `auto_enrichment_conflicts` (`org_id`,`entity_id`,`field`,`proposed_hash`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `auto_conflicts_org_status_idx` ON `auto_enrichment_conflicts` (`org_id`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `auto_conflicts_org_created_idx` ON `auto_enrichment_conflicts` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `auto_conflicts_job_idx` ON `auto_enrichment_conflicts` (`created_by_job_id`);--> statement-breakpoint
CREATE TABLE `auto_enrichment_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`entity_id` text NOT NULL,
	`entity_type` text NOT NULL,
	`trigger` text NOT NULL,
	`trigger_fields` text NOT NULL,
	`status` text NOT NULL,
	`skip_reason` text,
	`integration_codes` text,
	`force` integer DEFAULT false NOT NULL,
	`coalesced` integer DEFAULT 0 NOT NULL,
	`retry_of` text,
	`retried_by` text,
	`config_version` integer,
	`results` text DEFAULT '[]' NOT NULL,
	`error` text,
	`credits_charged` integer DEFAULT 0 NOT NULL,
	`cost_cents` integer DEFAULT 0 NOT NULL,
	`fields_filled` integer DEFAULT 0 NOT NULL,
	`fields_updated` integer DEFAULT 0 NOT NULL,
	`fields_proposed` integer DEFAULT 0 NOT NULL,
	`fields_skipped` integer DEFAULT 0 NOT NULL,
	`conflicts_created` integer DEFAULT 0 NOT NULL,
	`budget_reserved` integer DEFAULT 0 NOT NULL,
	`budget_day` text,
	`budget_month` text,
	`prepaid_reserved` integer DEFAULT 0 NOT NULL,
	`run_token` text,
	`lease_until` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`dispatched_at` text,
	`outbox` text DEFAULT '[]' NOT NULL,
	`published_at` text,
	`created_by_key_id` text,
	`created_at` text NOT NULL,
	`started_at` text,
	`finished_at` text,
	`duration_ms` integer,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `auto_jobs_waiting_idx` ON `auto_enrichment_jobs` (`org_id`,`entity_id`) WHERE status IN ('queued', 'paused');--> statement-breakpoint
CREATE INDEX `auto_jobs_org_created_idx` ON `auto_enrichment_jobs` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `auto_jobs_org_status_idx` ON `auto_enrichment_jobs` (`org_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `auto_jobs_entity_idx` ON `auto_enrichment_jobs` (`org_id`,`entity_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `auto_jobs_status_dispatched_idx` ON `auto_enrichment_jobs` (`status`,`dispatched_at`);--> statement-breakpoint
CREATE TABLE `auto_enrichment_state` (
	`org_id` text PRIMARY KEY NOT NULL,
	`paused` integer NOT NULL,
	`paused_at` text,
	`paused_by_key_id` text,
	`reason` text,
	`resumed_at` text,
	`resumed_by_key_id` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `auto_enrichment_suppressions` (
	`org_id` text NOT NULL,
	`entity_id` text NOT NULL,
	`field` text NOT NULL,
	`source` text NOT NULL,
	`value_hash` text NOT NULL,
	`conflict_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`org_id`, `entity_id`, `field`, `source`, `value_hash`)
);
--> statement-breakpoint
ALTER TABLE `entities` ADD `attribute_sources` text DEFAULT '{}' NOT NULL;