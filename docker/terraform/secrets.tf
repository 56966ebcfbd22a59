# The origin's secrets live in one Secrets Manager secret (a JSON object), injected into the task as
# environment variables by ECS; Terraform creates the empty secret and never sees a value. Fill it once:
#   aws secretsmanager put-secret-value --secret-id <output app_secret_arn> --secret-string file://app-secret.json
# with every key of var.app_secret_keys (docs/deploy/terraform.md).
variable "app_secret_keys" {
  description = "Keys of the app secret's JSON object, each injected as the environment variable of that name"
  type        = list(string)
  default     = ["DB_APP_URL", "DB_LEGACY_URL", "REDIS_URL", "ADMIN_PASSWORD", "JWT_SECRET_KEY", "ENCRYPTION_KEY", "METRICS_TOKEN"]
}

resource "aws_secretsmanager_secret" "app" {
  name                    = "${local.prefix}/app"
  description             = "app-server origin settings that are secret (JSON: ${join(", ", var.app_secret_keys)})"
  recovery_window_in_days = var.environment == "production" ? 30 : 7
}
