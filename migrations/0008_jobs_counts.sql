ALTER TABLE `jobs` ADD `running` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `jobs` ADD `skipped_rows` text DEFAULT '[]' NOT NULL;