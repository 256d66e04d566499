CREATE TABLE `email_pattern_observations` (
	`domain` text NOT NULL,
	`address_hash` text NOT NULL,
	`pattern` text NOT NULL,
	`source` text NOT NULL,
	`seen_at` text NOT NULL,
	PRIMARY KEY(`domain`, `address_hash`)
);
--> statement-breakpoint
CREATE INDEX `email_patterns_domain_pattern_idx` ON `email_pattern_observations` (`domain`,`pattern`);