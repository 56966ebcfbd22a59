# No secret here: secrets go into the Secrets Manager secret (output app_secret_arn).
environment              = "production"
region                   = "ap-northeast-2"
domain_name              = "app-server.example.com"
certificate_arn          = "arn:aws:acm:ap-northeast-2:123456789012:certificate/00000000-0000-0000-0000-000000000000"
image                    = "public.ecr.aws/docker/library/node:24-slim"
desired_count            = 2
max_count                = 6
task_cpu                 = 1024
task_memory              = 2048
db_instance_class        = "db.m7g.large"
db_multi_az              = true
db_backup_retention_days = 14
redis_node_type          = "cache.t4g.small"
