variable "name" {
  description = "Name prefix of every resource"
  type        = string
  default     = "app-server"
}

variable "environment" {
  description = "Environment name: test or production"
  type        = string

  validation {
    condition     = contains(["test", "production"], var.environment)
    error_message = "environment must be test or production."
  }
}

variable "region" {
  description = "AWS region"
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC; split into two public and two private subnets"
  type        = string
  default     = "10.40.0.0/16"
}

variable "domain_name" {
  description = "Public host name the ALB serves (its certificate must cover it)"
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for domain_name in this region (the ALB's HTTPS listener)"
  type        = string
}

variable "image" {
  description = "Origin image for the first task definition; later deploys register revisions (scripts/deploy/deploy-ecs.sh)"
  type        = string
}

variable "desired_count" {
  description = "Origin tasks; the scheduler needs no leader, so any number works against one database"
  type        = number
  default     = 2
}

variable "max_count" {
  description = "Upper bound of the CPU-based auto scaling"
  type        = number
  default     = 6
}

variable "task_cpu" {
  description = "Fargate CPU units per task"
  type        = number
  default     = 512
}

variable "task_memory" {
  description = "Fargate memory (MiB) per task"
  type        = number
  default     = 1024
}

variable "db_instance_class" {
  description = "RDS instance class"
  type        = string
  default     = "db.t4g.small"
}

variable "db_allocated_storage" {
  description = "RDS storage (GiB); grows automatically up to db_max_allocated_storage"
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  description = "RDS storage auto scaling ceiling (GiB)"
  type        = number
  default     = 100
}

variable "db_backup_retention_days" {
  description = "RDS automated backups and point-in-time recovery window (days); the RPO of a database loss"
  type        = number
  default     = 7
}

variable "db_multi_az" {
  description = "Standby in a second availability zone (production)"
  type        = bool
  default     = false
}

variable "redis_node_type" {
  description = "ElastiCache node type"
  type        = string
  default     = "cache.t4g.micro"
}

variable "log_retention_days" {
  description = "CloudWatch retention of the origin's logs"
  type        = number
  default     = 30
}

variable "alarm_topic_arn" {
  description = "SNS topic for the CloudWatch alarms (empty: alarms without actions)"
  type        = string
  default     = ""
}
