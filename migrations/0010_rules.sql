CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`rule_version` integer NOT NULL,
	`rule_name` text NOT NULL,
	`evaluation_id` text NOT NULL,
	`entity_id` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`enrichment_ids` text NOT NULL,
	`severity` text NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`trace` text NOT NULL,
	`score` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`acknowledged_at` text,
	`acknowledged_by_key_id` text,
	`resolved_at` text,
	`resolved_by_key_id` text,
	`resolution` text,
	`note` text,
	`transition_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_rule_event_idx` ON `alerts` (`rule_id`,`event_id`);--> statement-breakpoint
CREATE INDEX `alerts_org_created_idx` ON `alerts` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `alerts_org_entity_idx` ON `alerts` (`org_id`,`entity_id`);--> statement-breakpoint
CREATE TABLE `entity_risk_reasons` (
	`org_id` text NOT NULL,
	`entity_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`rule_version` integer NOT NULL,
	`score` integer NOT NULL,
	`evaluation_id` text NOT NULL,
	`event_id` text NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`entity_id`, `rule_id`)
);
--> statement-breakpoint
CREATE INDEX `entity_risk_reasons_org_idx` ON `entity_risk_reasons` (`org_id`,`entity_id`);--> statement-breakpoint
CREATE TABLE `risk_levels` (
	`org_id` text PRIMARY KEY NOT NULL,
	`medium` integer NOT NULL,
	`high` integer NOT NULL,
	`critical` integer NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by_key_id` text
);
--> statement-breakpoint
CREATE TABLE `rule_evaluations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`rule_version` integer NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`matched` integer NOT NULL,
	`shadow` integer NOT NULL,
	`trace` text NOT NULL,
	`actions` text NOT NULL,
	`effects_pending` integer NOT NULL,
	`enrichment_ids` text NOT NULL,
	`depth` integer NOT NULL,
	`evaluated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rule_evaluations_rule_event_idx` ON `rule_evaluations` (`rule_id`,`event_id`);--> statement-breakpoint
CREATE INDEX `rule_evaluations_org_idx` ON `rule_evaluations` (`org_id`,`evaluated_at`,`id`);--> statement-breakpoint
CREATE INDEX `rule_evaluations_entity_idx` ON `rule_evaluations` (`org_id`,`entity_id`,`evaluated_at`);--> statement-breakpoint
CREATE TABLE `rule_events` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`type` text NOT NULL,
	`entity_id` text NOT NULL,
	`data` text NOT NULL,
	`depth` integer NOT NULL,
	`occurred_at` text NOT NULL,
	`received_at` text NOT NULL,
	`processed_at` text
);
--> statement-breakpoint
CREATE INDEX `rule_events_unprocessed_idx` ON `rule_events` (`processed_at`,`received_at`);--> statement-breakpoint
CREATE INDEX `rule_events_org_idx` ON `rule_events` (`org_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `rule_versions` (
	`rule_id` text NOT NULL,
	`version` integer NOT NULL,
	`org_id` text NOT NULL,
	`definition` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by_key_id` text,
	PRIMARY KEY(`rule_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `rules` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`status` text NOT NULL,
	`priority` integer NOT NULL,
	`events` text NOT NULL,
	`entity_types` text NOT NULL,
	`integration_codes` text,
	`conditions` text NOT NULL,
	`score` integer NOT NULL,
	`actions` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by_key_id` text,
	`updated_by_key_id` text
);
--> statement-breakpoint
CREATE INDEX `rules_org_created_idx` ON `rules` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `rules_org_status_idx` ON `rules` (`org_id`,`status`);--> statement-breakpoint
ALTER TABLE `entities` ADD `tags` text DEFAULT '[]' NOT NULL;