ALTER TABLE `jobs` ADD `released_credits` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `jobs` DROP COLUMN `release_token`;