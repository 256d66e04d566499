CREATE TABLE `credit_transactions` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`type` text NOT NULL,
	`amount` integer NOT NULL,
	`cost_cents` integer DEFAULT 0 NOT NULL,
	`reason` text NOT NULL,
	`integration_code` text,
	`enrichment_id` text,
	`job_id` text,
	`actor_key_id` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `credit_tx_org_created_idx` ON `credit_transactions` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_tx_charge_once_idx` ON `credit_transactions` (`type`,`enrichment_id`);--> statement-breakpoint
CREATE TABLE `enrichment_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`integration_codes` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `groups_org_slug_idx` ON `enrichment_groups` (`org_id`,`slug`);--> statement-breakpoint
CREATE INDEX `groups_org_created_idx` ON `enrichment_groups` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `enrichments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`entity_id` text NOT NULL,
	`integration_code` text NOT NULL,
	`status` text NOT NULL,
	`cached` integer NOT NULL,
	`global_enrichment_id` text,
	`execution_time_ms` integer NOT NULL,
	`cost_cents` integer NOT NULL,
	`credits` integer NOT NULL,
	`result` text,
	`error` text,
	`job_id` text,
	`task_key` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `enrichments_org_entity_idx` ON `enrichments` (`org_id`,`entity_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `enrichments_job_idx` ON `enrichments` (`job_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `enrichments_task_key_idx` ON `enrichments` (`task_key`);--> statement-breakpoint
CREATE TABLE `integration_settings` (
	`org_id` text NOT NULL,
	`code` text NOT NULL,
	`enabled` integer NOT NULL,
	`config` text NOT NULL,
	`credentials_encrypted` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`org_id`, `code`)
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`rate_limit_per_minute` integer,
	`created_by_key_id` text,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_idx` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_org_idx` ON `api_keys` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`actor_key_id` text,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`at` text NOT NULL,
	`data` text
);
--> statement-breakpoint
CREATE INDEX `audit_org_at_idx` ON `audit_log` (`org_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_org_action_idx` ON `audit_log` (`org_id`,`action`);--> statement-breakpoint
CREATE INDEX `audit_org_target_idx` ON `audit_log` (`org_id`,`target_type`,`target_id`);--> statement-breakpoint
CREATE TABLE `entities` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`type` text NOT NULL,
	`external_id` text,
	`attributes` text NOT NULL,
	`enriched` text DEFAULT '{}' NOT NULL,
	`search_text` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `entities_org_external_idx` ON `entities` (`org_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `entities_org_created_idx` ON `entities` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `entities_org_type_idx` ON `entities` (`org_id`,`type`,`created_at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`org_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`state` text NOT NULL,
	`status_code` integer,
	`response_body` text,
	`response_headers` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`org_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_created_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`billing_mode` text NOT NULL,
	`credit_balance` integer DEFAULT 0 NOT NULL,
	`reserved_credits` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rate_limit_windows` (
	`key_id` text NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`key_id`, `window_start`)
);
