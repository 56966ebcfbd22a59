# No secret here: secrets go into the Secrets Manager secret (output app_secret_arn).
environment     = "test"
region          = "ap-northeast-2"
domain_name     = "test.app-server.example.com"
certificate_arn = "arn:aws:acm:ap-northeast-2:123456789012:certificate/00000000-0000-0000-0000-000000000000"
image           = "public.ecr.aws/docker/library/node:24-slim"
desired_count   = 1
max_count       = 2
