package dev.nin.track;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The UI addresses nin prints open the Runs table, carry no credentials and keep the server's path. */
class MlflowUiTest {

    @Test
    void addressesOpenTheRunsTable() {
        assertEquals("http://127.0.0.1:5000/#/experiments/3?workflowType=machine_learning",
                MlflowUi.experiment("http://127.0.0.1:5000/", "3"));
        assertEquals("http://127.0.0.1:5000/#/experiments/3/runs/ab12?workflowType=machine_learning",
                MlflowUi.run("http://127.0.0.1:5000", "3", "ab12"));
    }

    @Test
    void credentialsQueriesAndFragmentsNeverReachTheAddress() {
        assertEquals("https://mlflow.example:8443/team/#/experiments/7?workflowType=machine_learning",
                MlflowUi.experiment("https://alice:s3cret@mlflow.example:8443/team/?token=abc#x", "7"));
        assertEquals("http://host/#/experiments/1?workflowType=machine_learning", MlflowUi.experiment("http://bob@host", "1"));
    }
}
