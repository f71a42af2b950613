package io.github.stytchmigration.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MaskingTest {
    @Test
    void masksEmailsAndPhones() {
        assertThat(Masking.maskIdentifier("alice@example.com")).isEqualTo("a***@example.com");
        assertThat(Masking.maskIdentifier("+15555550101")).isEqualTo("***01");
        assertThat(Masking.maskIdentifier(null)).isEqualTo("(none)");
    }

    @Test
    void masksThePasswordOfUserInfoButKeepsUserAndHost() {
        assertThat(Masking.url("jdbc:mysql://app:hunter2@db.internal:3306/app"))
                .isEqualTo("jdbc:mysql://app:****@db.internal:3306/app");
        assertThat(Masking.url("https://user:s3cret@stytch.example.com")).isEqualTo("https://user:****@stytch.example.com");
        assertThat(Masking.url("jdbc:postgresql://app@db/app")).isEqualTo("jdbc:postgresql://app@db/app");
    }

    @Test
    void masksPasswordsInQueryAndSemicolonParameters() {
        assertThat(Masking.url("jdbc:postgresql://db:5432/app?user=app&password=hunter2&sslmode=require"))
                .isEqualTo("jdbc:postgresql://db:5432/app?user=app&password=****&sslmode=require");
        assertThat(Masking.url("jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=hunter2;encrypt=true"))
                .isEqualTo("jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=****;encrypt=true");
        assertThat(Masking.url("jdbc:postgresql://db/app?sslpassword=k3y&PWD=x"))
                .isEqualTo("jdbc:postgresql://db/app?sslpassword=****&PWD=****");
    }

    @Test
    void masksOraclesUserSlashPassword() {
        assertThat(Masking.url("jdbc:oracle:thin:scott/tiger@db.internal:1521/ORCL"))
                .isEqualTo("jdbc:oracle:thin:scott/****@db.internal:1521/ORCL");
    }

    @Test
    void leavesUrlsWithoutCredentialsAlone() {
        for (String url : new String[] {"jdbc:postgresql://db.internal:5432/app", "http://127.0.0.1:8080",
                "jdbc:mariadb://db/app?useAffectedRows=true", "jdbc:oracle:thin:@db:1521/ORCL"}) {
            assertThat(Masking.url(url)).isEqualTo(url);
        }
    }
}
