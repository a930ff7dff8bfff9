-- Runs once, when the PostgreSQL volume is created: MLflow's backend store lives beside nin's.
CREATE DATABASE mlflow;
