# RDS PostgreSQL 15 (app_db; the legacy DB stays where it is and is reached with DB_LEGACY_URL), ElastiCache
# Redis with TLS and an auth token, EFS for FILES_BASE_DIR. Every store is encrypted at rest.
resource "aws_db_subnet_group" "main" {
  name       = local.prefix
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_db_instance" "app" {
  identifier     = local.prefix
  engine         = "postgres"
  engine_version = "15"
  instance_class = var.db_instance_class
  db_name        = "app_db"
  username       = "app"
  # RDS creates and rotates the master password in Secrets Manager; nothing secret is in this code or state.
  manage_master_user_password = true

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true

  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.data.id]
  publicly_accessible    = false
  multi_az               = var.db_multi_az

  backup_retention_period   = var.db_backup_retention_days
  backup_window             = "03:00-03:30"
  maintenance_window        = "sun:04:00-sun:04:30"
  copy_tags_to_snapshot     = true
  deletion_protection       = var.environment == "production"
  skip_final_snapshot       = var.environment != "production"
  final_snapshot_identifier = "${local.prefix}-final"
  apply_immediately         = var.environment != "production"

  performance_insights_enabled = true
}

resource "aws_elasticache_subnet_group" "main" {
  name       = local.prefix
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id = local.prefix
  description          = "app-server cache and rate limits"
  engine               = "redis"
  engine_version       = "7.1"
  node_type            = var.redis_node_type
  num_cache_clusters   = var.environment == "production" ? 2 : 1
  port                 = 6379

  automatic_failover_enabled = var.environment == "production"
  subnet_group_name          = aws_elasticache_subnet_group.main.name
  security_group_ids         = [aws_security_group.data.id]
  at_rest_encryption_enabled = true
  # TLS in transit: REDIS_URL is rediss://<primary endpoint>:6379/0 (output redis_endpoint); only the tasks'
  # security group reaches it.
  transit_encryption_enabled = true
  snapshot_retention_limit   = 3
}

resource "aws_efs_file_system" "files" {
  creation_token   = "${local.prefix}-files"
  encrypted        = true
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"

  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }

  tags = { Name = "${local.prefix}-files" }
}

resource "aws_efs_mount_target" "files" {
  count           = length(aws_subnet.private)
  file_system_id  = aws_efs_file_system.files.id
  subnet_id       = aws_subnet.private[count.index].id
  security_groups = [aws_security_group.data.id]
}

# The image runs as the `node` user (uid/gid 1000): the access point owns its root as that user.
resource "aws_efs_access_point" "files" {
  file_system_id = aws_efs_file_system.files.id

  posix_user {
    uid = 1000
    gid = 1000
  }

  root_directory {
    path = "/files"

    creation_info {
      owner_uid   = 1000
      owner_gid   = 1000
      permissions = "0750"
    }
  }
}

resource "aws_efs_backup_policy" "files" {
  file_system_id = aws_efs_file_system.files.id

  backup_policy {
    status = "ENABLED"
  }
}
