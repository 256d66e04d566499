CREATE TABLE `sanctions_entries` (
	`list_id` text NOT NULL,
	`sdn_id` integer NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`programs` text NOT NULL,
	`remarks` text,
	`facts` text NOT NULL,
	PRIMARY KEY(`list_id`, `sdn_id`)
);
--> statement-breakpoint
CREATE TABLE `sanctions_lists` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`checksum` text NOT NULL,
	`status` text NOT NULL,
	`entries` integer NOT NULL,
	`names` integer NOT NULL,
	`tokens` integer NOT NULL,
	`started_at` text NOT NULL,
	`loaded_at` text
);
--> statement-breakpoint
CREATE INDEX `sanctions_lists_status_idx` ON `sanctions_lists` (`status`);--> statement-breakpoint
CREATE TABLE `sanctions_name_tokens` (
	`list_id` text NOT NULL,
	`party` text NOT NULL,
	`token` text NOT NULL,
	`name_id` integer NOT NULL,
	`sdn_id` integer NOT NULL,
	`weight` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sanctions_tokens_lookup_idx` ON `sanctions_name_tokens` (`list_id`,`party`,`token`,`name_id`,`weight`);--> statement-breakpoint
CREATE TABLE `sanctions_names` (
	`list_id` text NOT NULL,
	`name_id` integer NOT NULL,
	`sdn_id` integer NOT NULL,
	`name` text NOT NULL,
	`normalized` text NOT NULL,
	`kind` text NOT NULL,
	`quality` text NOT NULL,
	`party` text NOT NULL,
	PRIMARY KEY(`list_id`, `name_id`)
);
--> statement-breakpoint
CREATE TABLE `sanctions_token_variants` (
	`list_id` text NOT NULL,
	`variant` text NOT NULL,
	`token` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sanctions_variants_lookup_idx` ON `sanctions_token_variants` (`list_id`,`variant`,`token`);--> statement-breakpoint
CREATE TABLE `screening_clearances` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`entity_id` text NOT NULL,
	`sdn_id` integer NOT NULL,
	`note` text,
	`created_at` text NOT NULL,
	`created_by_key_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `screening_clearances_entity_sdn_idx` ON `screening_clearances` (`org_id`,`entity_id`,`sdn_id`);--> statement-breakpoint
CREATE INDEX `screening_clearances_org_created_idx` ON `screening_clearances` (`org_id`,`created_at`,`id`);