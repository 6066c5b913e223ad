package org.gntfs.cli;

import java.util.Locale;

/**
 * {@code gntfs mount --log-level LEVEL}. slf4j-simple reads its level once, when the first logger
 * is made, and loggers are made while the command line is still being parsed (the backends'
 * providers load then): so the level is taken from the arguments before picocli sees them, and
 * picocli then only checks and documents the option.
 */
enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR;

    static final String OPTION = "--log-level";
    private static final String PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    static void applyBeforeAnyLogger(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                return;
            }
            String value = args[i].startsWith(OPTION + "=") ? args[i].substring(OPTION.length() + 1)
                    : args[i].equals(OPTION) && i + 1 < args.length ? args[i + 1] : null;
            if (value != null && isLevel(value)) {
                System.setProperty(PROPERTY, value.toLowerCase(Locale.ROOT));
            }
        }
    }

    private static boolean isLevel(String value) {
        for (LogLevel level : values()) {
            if (level.name().equalsIgnoreCase(value)) {
                return true;
            }
        }
        return false;
    }
}
