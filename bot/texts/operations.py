"""What ``python -m bot backup``, ``restore`` and ``migrate-to`` print (bot/__main__.py)."""

BACKUP_WRITTEN = "Копия базы данных записана в {path} (проверка целостности пройдена)"
BACKUP_DAMAGED = "Копия {path} не прошла проверку целостности: {problems}"
RESTORED = "База данных {target} восстановлена из копии {path}; запустите бота"
RESTORE_DAMAGED = (
    "Восстановление отменено: копия {path} повреждена или не от этого бота: {problems}"
)
RESTORE_IN_USE = (
    "Восстановление отменено: база данных {target} открыта работающим ботом (или другой"
    " программой); остановите бота и повторите"
)
BACKUP_IS_PG_DUMP = (
    "Резервная копия базы PostgreSQL делается средствами сервера: pg_dump"
    " (см. README, «Production»)"
)
MIGRATE_NEEDS_POSTGRES = "Ошибка: migrate-to ожидает postgresql://… (см. README, «Production»)"
MIGRATE_TARGET_NOT_EMPTY = "Ошибка: база назначения не пуста ({detail}); копирование отменено"
MIGRATED = "Скопировано из {path}: {tables}"
