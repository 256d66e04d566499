CREATE TABLE `custom_integrations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`entity_types` text NOT NULL,
	`inputs` text NOT NULL,
	`definition` text NOT NULL,
	`credits` integer NOT NULL,
	`cost_cents` integer NOT NULL,
	`timeout_ms` integer NOT NULL,
	`cache_ttl_seconds` integer,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `custom_integrations_org_code_idx` ON `custom_integrations` (`org_id`,`code`);--> statement-breakpoint
CREATE INDEX `custom_integrations_org_created_idx` ON `custom_integrations` (`org_id`,`created_at`);