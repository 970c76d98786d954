package io.thetahost.cluster.database;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts a front's exchanges with the database: every statement executed and every commit or rollback is one round
 * trip (the driver sends BEGIN with the first statement of a transaction). The benchmark reads the count around a push
 * and a clone; counting is an addition per statement, so it is always on.
 */
public final class RoundTrips {
    private final LongAdder count = new LongAdder();

    public long count() {
        return count.sum();
    }

    Connection counting(Connection connection) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new Counter(connection, true));
    }

    private final class Counter implements InvocationHandler {
        private final Object target;
        private final boolean isConnection;

        Counter(Object target, boolean isConnection) {
            this.target = target;
            this.isConnection = isConnection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (isConnection ? name.equals("commit") || name.equals("rollback") : name.startsWith("execute")) {
                count.increment();
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (isConnection && result instanceof Statement statement) {
                Class<?> type = method.getReturnType();
                return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                        new Counter(statement, false));
            }
            return result;
        }
    }
}
