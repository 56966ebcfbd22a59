# The values the delivery workflow's variables and the app secret need (docs/deploy/terraform.md).
output "alb_dns_name" {
  description = "Point domain_name at this (CNAME or alias record)"
  value       = aws_lb.main.dns_name
}

output "ecr_repository" {
  description = "Repository variable AWS_ECR_REPOSITORY"
  value       = aws_ecr_repository.app.name
}

output "ecs_cluster" {
  description = "Environment variable ECS_CLUSTER"
  value       = aws_ecs_cluster.main.name
}

output "ecs_service" {
  description = "Environment variable ECS_SERVICE (container: api)"
  value       = aws_ecs_service.app.name
}

output "github_deploy_role_arn" {
  description = "Variable AWS_ROLE_ARN (empty without github_repository)"
  value       = local.github_enabled ? aws_iam_role.github_deploy[0].arn : ""
}

output "app_secret_arn" {
  description = "Put the JSON of app_secret_keys here"
  value       = aws_secretsmanager_secret.app.arn
}

output "db_endpoint" {
  description = "host:port of app_db for DB_APP_URL"
  value       = aws_db_instance.app.endpoint
}

output "db_master_secret_arn" {
  description = "Secrets Manager secret RDS keeps the master password in"
  value       = aws_db_instance.app.master_user_secret[0].secret_arn
}

output "redis_endpoint" {
  description = "Primary endpoint for REDIS_URL (rediss://<endpoint>:6379/0)"
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "efs_file_system_id" {
  description = "The file volume (FILES_BASE_DIR in the tasks)"
  value       = aws_efs_file_system.files.id
}
