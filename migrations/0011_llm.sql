CREATE TABLE `llm_provider_settings` (
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`enabled` integer NOT NULL,
	`base_url` text,
	`account_id` text,
	`api_key_encrypted` text,
	`models` text NOT NULL,
	`max_concurrency` integer,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`org_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `llm_records` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`type` text NOT NULL,
	`job_id` text,
	`task_key` text,
	`entity_index` integer,
	`entity_id` text,
	`schema_id` text,
	`schema_version` integer,
	`model` text,
	`strategy` text,
	`success` integer NOT NULL,
	`partial_success` integer NOT NULL,
	`output` text,
	`fields` text,
	`conflict_report` text,
	`source_record_ids` text,
	`details` text,
	`input_tokens` integer NOT NULL,
	`cached_input_tokens` integer NOT NULL,
	`cache_write_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`reasoning_tokens` integer NOT NULL,
	`usage_estimated` integer NOT NULL,
	`cost_pico_usd` text NOT NULL,
	`cost_micro_usd` integer NOT NULL,
	`credits` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`prompts` text NOT NULL,
	`validation_errors` text NOT NULL,
	`error` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `llm_records_org_created_idx` ON `llm_records` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `llm_records_job_idx` ON `llm_records` (`job_id`,`entity_index`);--> statement-breakpoint
CREATE UNIQUE INDEX `llm_records_task_key_idx` ON `llm_records` (`task_key`);--> statement-breakpoint
CREATE TABLE `llm_schema_versions` (
	`schema_id` text NOT NULL,
	`version` integer NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`entity_type` text,
	`expertise_domains` text NOT NULL,
	`json_schema` text NOT NULL,
	`change` text NOT NULL,
	`record_id` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`schema_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `llm_schemas` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`entity_type` text,
	`expertise_domains` text NOT NULL,
	`json_schema` text NOT NULL,
	`version` integer NOT NULL,
	`origin` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
CREATE INDEX `llm_schemas_org_created_idx` ON `llm_schemas` (`org_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `jobs` ADD `kind` text DEFAULT 'integration' NOT NULL;--> statement-breakpoint
ALTER TABLE `jobs` ADD `details` text;