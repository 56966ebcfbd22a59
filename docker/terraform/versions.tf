# The AWS path of docs/deploy/aws.md as code (seed 004 P1): VPC, ECS Fargate service behind an ALB with TLS,
# RDS PostgreSQL, ElastiCache Redis, EFS for the file volume, ECR, and the origin's secrets in Secrets Manager.
#   terraform init -backend-config=bucket=<state-bucket> -backend-config=key=app-server/<env>.tfstate \
#     -backend-config=region=<region>
#   terraform plan -var-file=environments/<env>.tfvars
# Checked offline by test/integration/terraform.test.ts (HCL parsed with @cdktf/hcl2json; `terraform validate`
# where a terraform binary and the AWS provider are at hand) and by deliver.yml. docs/deploy/terraform.md
terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }

  # State in S3 with locking; bucket, key and region come from -backend-config at init.
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = var.name
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_caller_identity" "current" {}

locals {
  prefix = "${var.name}-${var.environment}"
  azs    = slice(data.aws_availability_zones.available.names, 0, 2)
}
