import { Column, ColumnOptions, CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Timestamps keep millisecond precision (timestamptz(3)) so that a JS Date read back equals the
 * stored value exactly; keyset cursors depend on that.
 */
export const TIMESTAMP: ColumnOptions = { type: 'timestamptz', precision: 3 };

export const IdColumn = () => PrimaryColumn({ type: 'varchar', length: 40 });
export const CreatedAtColumn = () => CreateDateColumn(TIMESTAMP);
export const UpdatedAtColumn = () => UpdateDateColumn(TIMESTAMP);
export const TimestampColumn = (options: ColumnOptions = {}) => Column({ ...TIMESTAMP, ...options });
export const RefColumn = (options: ColumnOptions = {}) => Column({ type: 'varchar', length: 40, ...options });
