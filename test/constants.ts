export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
export const TEST_ENCRYPTION_KEY = "test-encryption-key-0123456789abcdef";
